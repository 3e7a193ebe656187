#!/usr/bin/env python3
"""A TCP relay that delays one direction: what the server sends reaches each client DELAY_MS later, in order
(an adversary on a node's path who holds its egress back). What clients send passes at once.

    usage: delay_relay.py LISTEN_PORT SERVER_PORT DELAY_MS      (127.0.0.1 on both sides; runs until killed)
"""
import asyncio
import sys


async def pump(reader, writer, delay):
    queue = asyncio.Queue()

    async def drain():
        loop = asyncio.get_running_loop()
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    task = asyncio.create_task(drain())
    loop = asyncio.get_running_loop()
    try:
        while data := await reader.read(65536):
            await queue.put((loop.time() + delay, data))
    except ConnectionError:
        pass
    await queue.put((0, None))
    await task


async def handle(client_reader, client_writer, server_port, delay):
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", server_port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, server_writer, 0), pump(server_reader, client_writer, delay),
                         return_exceptions=True)


async def main():
    listen, server, delay_ms = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    relay = await asyncio.start_server(lambda r, w: handle(r, w, server, delay_ms / 1000), "127.0.0.1", listen)
    async with relay:
        await relay.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
