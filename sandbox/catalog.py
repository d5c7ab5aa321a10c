"""The two shops' catalogs, and the product pictures the sandbox draws itself (no external URLs).

Each product: (title, category, base price, variants as (name, price factor) or None, flags).
Flags: "draft" (not published), "archived", "soldout" (inventory 0).
"""

from __future__ import annotations

import unicodedata
from html import escape

SIZES = (("250g", 1.0), ("500g", 1.8), ("1kg", 3.2))
TINS = (("50g tin", 1.0), ("100g tin", 1.8))

DEMO = [
    ("Ethiopia Yirgacheffe Coffee", "coffee", "18.00", SIZES, ""),
    ("Colombia Huila Coffee", "coffee", "16.00", SIZES, ""),
    ("House Espresso Blend", "coffee", "15.00", SIZES, ""),
    ("Swiss Water Decaf", "coffee", "17.00", SIZES, ""),
    ("Cold Brew Pouches", "coffee", "14.00", None, ""),
    ("Kenya AA Limited Lot", "coffee", "24.00", None, "soldout"),
    ("Japanese Sencha", "tea", "12.00", TINS, ""),
    ("Earl Grey Supreme", "tea", "11.00", TINS, ""),
    ("Jasmine Pearls", "tea", "16.00", TINS, ""),
    ("Formosa Oolong", "tea", "18.00", TINS, ""),
    ("Chamomile Blossoms", "tea", "9.00", None, ""),
    ("Ceramic Pour-over Dripper", "ceramics", "32.00", None, ""),
    ("Stoneware Mug", "ceramics", "22.00", (("Sand", 1.0), ("Slate", 1.0), ("Moss", 1.0)), ""),
    ("Celadon Tea Bowl", "ceramics", "26.00", None, ""),
    ("Speckled Teapot", "ceramics", "58.00", None, ""),
    ("Espresso Cups, Set of Two", "ceramics", "28.00", None, "soldout"),
    ("Lavender Hand Cream", "skincare", "14.00", None, ""),
    ("Green Tea Face Mist", "skincare", "19.00", None, ""),
    ("Coffee Body Scrub", "skincare", "21.00", None, ""),
    ("Beeswax Lip Balm", "skincare", "6.00", None, ""),
    ("Hand Burr Grinder", "tools", "79.00", None, ""),
    ("Gooseneck Kettle", "tools", "64.00", None, ""),
    ("Paper Filters, 100 Pack", "tools", "7.00", None, ""),
    ("Pumpkin Spice Blend", "coffee", "16.00", None, "archived"),
    ("Matcha Whisk Set", "tools", "34.00", None, "draft"),
    ("Rose Clay Mask", "skincare", "24.00", None, "draft"),
]

VIET_SIZES = (("250g", 1.0), ("500g", 1.9))

VIET = [
    ("Cà phê Robusta Buôn Ma Thuột", "coffee", "120000", VIET_SIZES, ""),
    ("Cà phê Arabica Cầu Đất", "coffee", "165000", VIET_SIZES, ""),
    ("Cà phê Culi rang mộc", "coffee", "140000", VIET_SIZES, ""),
    ("Cà phê phin giấy pha sẵn", "coffee", "85000", None, ""),
    ("Cà phê muối Huế", "coffee", "95000", None, "soldout"),
    ("Trà Shan Tuyết Hà Giang", "tea", "210000", None, ""),
    ("Trà Tân Cương Thái Nguyên", "tea", "150000", None, ""),
    ("Trà sen Tây Hồ", "tea", "450000", None, ""),
    ("Trà ô long Lâm Đồng", "tea", "180000", None, ""),
    ("Trà gừng mật ong", "tea", "65000", None, ""),
    ("Phin nhôm truyền thống", "tools", "35000", None, ""),
    ("Phin inox cao cấp", "tools", "120000", None, ""),
    ("Ấm trà gốm Bát Tràng", "ceramics", "380000", None, ""),
    ("Chén trà men lam", "ceramics", "45000", None, ""),
    ("Cốc gốm men rạn", "ceramics", "150000", (("Xanh ngọc", 1.0), ("Nâu đất", 1.0)), ""),
    ("Bình hoa men lam", "ceramics", "520000", None, "soldout"),
    ("Đĩa gốm hoa sen", "ceramics", "180000", None, ""),
    ("Sữa rửa mặt nghệ", "skincare", "145000", None, ""),
    ("Dầu dừa Bến Tre", "skincare", "90000", None, ""),
    ("Son dưỡng sáp ong", "skincare", "55000", None, ""),
    ("Xà phòng quế", "skincare", "45000", None, ""),
    ("Nước hoa hồng", "skincare", "160000", None, ""),
    ("Kẹo dừa Bến Tre", "sweets", "60000", None, ""),
    ("Mứt gừng Tết", "sweets", "110000", None, "archived"),
    ("Tinh dầu sả chanh", "skincare", "95000", None, "draft"),
    ("Bánh pía sầu riêng", "sweets", "120000", None, "draft"),
]

TYPES = {
    "en": {
        "coffee": "Coffee",
        "tea": "Tea",
        "ceramics": "Ceramics",
        "skincare": "Skincare",
        "tools": "Brewing",
        "sweets": "Sweets",
    },
    "vi": {
        "coffee": "Cà phê",
        "tea": "Trà",
        "ceramics": "Gốm sứ",
        "skincare": "Chăm sóc da",
        "tools": "Dụng cụ pha",
        "sweets": "Bánh kẹo",
    },
}

#: A care tip per category, in the shop's language: the second sentence of each product's description.
CARE = {
    "en": {
        "coffee": "Keep the beans in an airtight tin away from light and grind just before brewing.",
        "tea": "Store the leaves sealed and dry; brew with water just off the boil for three minutes.",
        "ceramics": "Dishwasher safe; warm the cup with hot water first so it keeps your drink hot longer.",
        "skincare": "Apply to clean skin morning and evening; keep the jar closed and out of the sun.",
        "tools": "Rinse after every use and descale once a month to keep it brewing like new.",
        "sweets": "Best within three weeks; keep in a cool, dry place once opened.",
    },
    "vi": {
        "coffee": "Bảo quản hạt trong hũ kín, tránh ánh nắng và chỉ xay ngay trước khi pha nhé.",
        "tea": "Giữ trà nơi khô ráo, đậy kín; pha với nước vừa sôi, ủ khoảng ba phút là ngon nhất.",
        "ceramics": "Dùng được máy rửa chén; tráng ly bằng nước nóng trước để đồ uống giữ ấm lâu hơn.",
        "skincare": "Thoa lên da sạch sáng và tối; đậy nắp kỹ và để nơi thoáng mát, tránh nắng.",
        "tools": "Rửa sạch sau mỗi lần dùng và tẩy cặn mỗi tháng một lần để dụng cụ luôn như mới.",
        "sweets": "Ngon nhất trong ba tuần; sau khi mở nên để nơi khô ráo, thoáng mát.",
    },
}

#: background, accent and ink colours per category
PALETTE = {
    "coffee": ("#f3e7da", "#8b5a3c", "#3b2418"),
    "tea": ("#e6f0de", "#5f8a4a", "#24391b"),
    "ceramics": ("#e3edf2", "#4d7c99", "#1d3442"),
    "skincare": ("#f6e6ea", "#b56a80", "#4a2330"),
    "tools": ("#ecebe6", "#6e6a5e", "#2c2a25"),
    "sweets": ("#f8efd9", "#c99a35", "#4d3a10"),
}

ICONS = {
    "coffee": '<path d="M280 330h220v120a110 110 0 0 1-220 0z" fill="{a}"/><path d="M500 360h30a40 40 0 0 1 0 80h-34"'
    ' fill="none" stroke="{a}" stroke-width="18"/><path d="M340 300c-20-30 20-40 0-80M400 300c-20-30 20-40 0-80'
    'M460 300c-20-30 20-40 0-80" fill="none" stroke="{a}" stroke-width="10" stroke-linecap="round"/>',
    "tea": '<path d="M400 220c120 40 150 160 60 260-60 60-150 40-180-20 80-20 140-90 120-240z" fill="{a}"/>'
    '<path d="M300 470c60-60 110-140 120-230" fill="none" stroke="{bg}" stroke-width="10"/>',
    "ceramics": '<path d="M350 220h100v40c70 40 90 120 60 190-20 40-60 60-110 60s-90-20-110-60c-30-70-10-150 60-190z"'
    ' fill="{a}"/><ellipse cx="400" cy="222" rx="60" ry="12" fill="{ink}" opacity=".3"/>',
    "skincare": '<rect x="330" y="270" width="140" height="240" rx="36" fill="{a}"/><rect x="370" y="220" width="60"'
    ' height="55" rx="10" fill="{ink}" opacity=".6"/><rect x="350" y="350" width="100" height="70" rx="8"'
    ' fill="{bg}" opacity=".8"/>',
    "tools": '<circle cx="400" cy="370" r="120" fill="none" stroke="{a}" stroke-width="26"/><circle cx="400" cy="370"'
    ' r="40" fill="{a}"/><path d="M400 250v-50" stroke="{a}" stroke-width="26" stroke-linecap="round"/>',
    "sweets": '<rect x="320" y="300" width="160" height="130" rx="30" fill="{a}"/><path d="M320 365l-70-45v90zM480 365'
    'l70-45v90z" fill="{a}" opacity=".7"/>',
}


def slug(text: str) -> str:
    """`Cà phê Robusta Buôn Ma Thuột` -> `ca-phe-robusta-buon-ma-thuot`."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    return "-".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def svg(title: str, category: str) -> str:
    """A square product picture: the category's icon on its colour, the title underneath."""
    bg, accent, ink = PALETTE.get(category, PALETTE["tools"])
    lines, line = [], ""
    for word in title.split():
        if len(line) + len(word) > 22 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    text = "".join(
        f'<text x="400" y="{640 + i * 52}" text-anchor="middle">{escape(t)}</text>' for i, t in enumerate(lines[:3])
    )
    icon = ICONS.get(category, ICONS["tools"]).format(a=accent, bg=bg, ink=ink)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 800" width="800" height="800">'
        f'<rect width="800" height="800" fill="{bg}"/><circle cx="400" cy="360" r="230" fill="#fff" opacity=".55"/>'
        f'{icon}<g font-family="Georgia, serif" font-size="44" fill="{ink}">{text}</g></svg>'
    )
