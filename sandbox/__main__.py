"""`python -m sandbox --port 5001 --app-url http://127.0.0.1:5000 --api-key K --api-secret S`."""

import argparse

from . import create_sandbox


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="Run the sandbox Shopify store.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--app-url", default="http://127.0.0.1:5000")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--api-secret", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--app-toml", help="the app's shopify.app.toml: managed install and its webhooks")
    args = parser.parse_args(argv)
    app = create_sandbox(
        args.api_key,
        args.api_secret,
        args.app_url,
        seed=args.seed,
        scale=args.scale,
        base_url=f"http://{args.host}:{args.port}",
        app_toml=args.app_toml,
    )
    print(f"Sandbox store on http://{args.host}:{args.port}/ (app at {args.app_url})")
    app.run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
