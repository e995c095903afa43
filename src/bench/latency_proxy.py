#!/usr/bin/env python3
"""A TCP proxy that makes 127.0.0.1 look like a distant server (python3 standard library, asyncio): every byte
is delayed by a fixed one-way delay in each direction and passes a link of a fixed rate, as a client in one
region sees Exchange Online in another. Only the proxied connections slow down (tc netem on the loopback would
slow every process on the machine).

  serve     proxy 127.0.0.1:LISTEN -> 127.0.0.1:TARGET until SIGTERM
  rtt       the median round trip of an IMAP NOOP on a port (to check what the proxy adds)

The link model, per direction: a chunk read at time a leaves the link at f = max(f_prev, a) + size / rate (the
link is shared by all connections, as a client's uplink is) and is written at f + delay. A connection's reader
stops reading while more than WINDOW bytes of it are on their way (the sender then blocks, as on a real network
with a TCP window), so the proxy never holds more than WINDOW bytes per connection and direction.
"""
import asyncio, json, os, signal, socket, statistics, sys, time

from benchcli import run

CHUNK = 64 * 1024
WINDOW = 1024 * 1024


class Link:
    """One direction of the shared link: a rate (bytes/s, 0 = unlimited) and a one-way delay (s)."""

    def __init__(self, rate, delay):
        self.rate, self.delay, self.free_at, self.bytes = rate, delay, 0.0, 0

    def delivery_time(self, size, now):
        start = max(self.free_at, now)
        self.free_at = start + (size / self.rate if self.rate else 0)
        self.bytes += size
        return self.free_at + self.delay


async def pipe(reader, writer, link):
    """Copies reader to writer through link; closes writer's side at EOF."""
    queue, budget = asyncio.Queue(), asyncio.Semaphore(WINDOW // CHUNK)
    loop = asyncio.get_running_loop()

    async def deliver():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            writer.write(data)
            await writer.drain()
            budget.release()
        if writer.can_write_eof():
            writer.write_eof()

    task = asyncio.create_task(deliver())
    try:
        while True:
            await budget.acquire()
            data = await reader.read(CHUNK)
            if not data:
                break
            queue.put_nowait((link.delivery_time(len(data), loop.time()), data))
    except ConnectionError:
        pass
    finally:
        queue.put_nowait((0, None))
        try:
            await task
        except ConnectionError:
            pass


def nodelay(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def cmd_serve(listen, target, delay_ms=None, down_rate=None, up_rate=None, stats_file=None):
    """Proxies 127.0.0.1:LISTEN to 127.0.0.1:TARGET: DELAY_MS one way in each direction (20: a 40 ms round trip),
    DOWN_RATE and UP_RATE bytes/s (0 = unlimited; down = server to client). Writes its counters (connections,
    bytes down and up) as JSON to STATS_FILE after every connection and at SIGTERM."""
    delay_ms, down_rate, up_rate = delay_ms or "20", down_rate or "4000000", up_rate or "4000000"
    down = Link(float(down_rate), float(delay_ms) / 1000)
    up = Link(float(up_rate), float(delay_ms) / 1000)
    counters = {"connections": 0, "open": 0}

    def save():
        if stats_file:
            with open(stats_file + ".tmp", "w") as fh:
                json.dump(dict(counters, bytes_down=down.bytes, bytes_up=up.bytes), fh)
            os.replace(stats_file + ".tmp", stats_file)

    async def handle(client_r, client_w):
        counters["connections"] += 1
        counters["open"] += 1
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", int(target))
        except OSError:
            client_w.close()
            counters["open"] -= 1
            return
        nodelay(client_w), nodelay(server_w)
        try:
            await asyncio.gather(pipe(client_r, server_w, up), pipe(server_r, client_w, down))
        except asyncio.CancelledError:
            pass  # stopping with connections open
        finally:
            for w in (client_w, server_w):
                w.close()
            counters["open"] -= 1
            save()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", int(listen), reuse_address=True)
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        save()
        print(f"latency-proxy: 127.0.0.1:{listen} -> :{target}, {delay_ms} ms each way, "
              f"down {float(down_rate) / 1e6:g} MB/s, up {float(up_rate) / 1e6:g} MB/s", flush=True)
        async with server:
            await stop.wait()
        save()

    asyncio.run(main())


def cmd_rtt(port, count=None):
    """The median, min and max round trip (ms) of COUNT `NOOP`s on 127.0.0.1:PORT (before login: IMAP allows it)."""
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = s.makefile("rb")
    f.readline()  # the greeting
    times = []
    for i in range(int(count or 20)):
        t = time.perf_counter()
        s.sendall(b"n%d NOOP\r\n" % i)
        while not f.readline().startswith(b"n%d " % i):
            pass
        times.append((time.perf_counter() - t) * 1000)
    s.sendall(b"z LOGOUT\r\n")
    s.close()
    print("%.1f %.1f %.1f" % (statistics.median(times), min(times), max(times)))


if __name__ == "__main__":
    run(globals(), __doc__)
