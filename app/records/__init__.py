"""The email record (sends and their events): the layer the engine, mail and customers stand on."""
