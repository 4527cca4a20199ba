#!/usr/bin/env python3
"""Streaming benchmark pieces for bench/http/stream.sh (issue #17), standard library only.

  upstream PORT          an OpenAI-compatible SSE upstream on 127.0.0.1:PORT. The request's first user message says how to
                         stream: "chunks=N interval_ms=M"; each chunk's content is the wall-clock time (ns) it was written.
  latency URL N M [H..]  N streams one after the other of M chunks, 20 ms apart: per chunk, arrival time minus the time the
                         upstream wrote it. Prints p50/p95/p99/max in ms (one JSON line). Extra args: request headers.
  interleave N M NAME=URL[,NAME=URL..] [H..]
                         The same for several targets in ONE run, their streams alternated (round r streams through every
                         target once, the order rotated each round), so that a shared machine's noise falls on all alike.
                         Prints {NAME: {chunks, p50_ms, p95_ms, p99_ms, max_ms, first_p50_ms, first_max_ms, later_p99_ms}}
                         (one JSON line; first_*: each stream's first chunk, later_*: the others). Headers go to every target.
  hold URL N SECS PID [H..]
                         N concurrent streams of SECS chunks 1 s apart; samples PID's RSS and threads every second.
                         Prints completed/failed counts, max RSS and threads (one JSON line).
"""
import asyncio, json, sys, time, urllib.parse

def chunk(content, finish=None, usage=None):
    body = {"id": "chatcmpl-sse", "object": "chat.completion.chunk", "created": 1764547200, "model": "gpt-4o-2024-08-06",
            "choices": [] if usage else [{"index": 0, "delta": {"content": content} if content is not None else {}, "finish_reason": finish}]}
    if usage:
        body["usage"] = usage
    return b"data: " + json.dumps(body, separators=(",", ":")).encode() + b"\n\n"

async def serve_upstream(reader, writer):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        body = json.loads(await reader.readexactly(length))
        spec = dict(kv.split("=") for kv in body["messages"][0]["content"].split())
        n, interval = int(spec["chunks"]), int(spec["interval_ms"]) / 1000
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
        for _ in range(n):
            writer.write(chunk(str(time.time_ns())))
            await writer.drain()
            await asyncio.sleep(interval)
        writer.write(chunk(None, finish="stop"))
        writer.write(chunk(None, usage={"prompt_tokens": 12, "completion_tokens": n, "total_tokens": 12 + n}))
        writer.write(b"data: [DONE]\n\n")
        await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()

async def stream(url, n, interval_ms, headers, on_chunk):
    u = urllib.parse.urlsplit(url)
    reader, writer = await asyncio.open_connection(u.hostname, u.port)
    body = json.dumps({"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": f"chunks={n} interval_ms={interval_ms}"}]}).encode()
    extra = "".join(f"{h}\r\n" for h in headers)
    # HTTP/1.0: the server then sends the stream as it is, ending it by closing (no chunked framing to undo here).
    writer.write(f"POST {u.path} HTTP/1.0\r\nHost: {u.netloc}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n".encode() + body)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n")[0]:
        raise RuntimeError(head.split(b"\r\n")[0].decode())
    buffer, done = b"", False
    while not done:
        data = await reader.read(65536)
        if not data:
            break
        now = time.time_ns()
        buffer += data
        while b"\n\n" in buffer:
            event, buffer = buffer.split(b"\n\n", 1)
            for line in event.split(b"\n"):
                line = line.strip(b"\r")
                if not line.startswith(b"data: "):
                    continue
                payload = line[6:]
                if payload == b"[DONE]":
                    done = True
                    break
                c = json.loads(payload)
                content = (c["choices"][0]["delta"].get("content") if c["choices"] else None)
                if content:
                    on_chunk(now - int(content))
    writer.close()
    if not done:
        raise RuntimeError("stream ended without [DONE]")

def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else float("nan")

def summary(lat):
    return {"chunks": len(lat), "p50_ms": round(pct(lat, 50), 3), "p95_ms": round(pct(lat, 95), 3), "p99_ms": round(pct(lat, 99), 3),
            "max_ms": round(max(lat), 3)}

async def latency(url, n, m, headers):
    lat = []
    for _ in range(n):
        await stream(url, m, 20, headers, lambda d: lat.append(d / 1e6))
    print(json.dumps(summary(lat)))

async def interleave(n, m, targets, headers):
    targets = [t.split("=", 1) for t in targets.split(",")]
    lat = {name: [] for name, _ in targets}
    first = {name: [] for name, _ in targets}  # each stream's first chunk, also in lat: it waited for the response to start
    for r in range(n):
        for name, url in targets[r % len(targets):] + targets[:r % len(targets)]:
            seen = []
            await stream(url, m, 20, headers, seen.append)
            lat[name].extend(d / 1e6 for d in seen)
            first[name].extend(d / 1e6 for d in seen[:1])
    print(json.dumps({name: dict(summary(lat[name]), first_p50_ms=round(pct(first[name], 50), 3), first_max_ms=round(max(first[name]), 3),
                                 later_p99_ms=round(pct([d for i, d in enumerate(lat[name]) if i % m], 99), 3))
                      for name, _ in targets}))

def proc(pid):
    status = open(f"/proc/{pid}/status").read().split("\n")
    val = lambda k: int(next(l for l in status if l.startswith(k)).split()[1])
    return val("VmRSS:") / 1024, val("Threads:")

async def hold(url, n, secs, pid, headers):
    results = {"completed": 0, "failed": 0, "errors": []}
    chunks = [0]
    async def one(i):
        await asyncio.sleep(i * 0.002)  # a 2 s ramp: 1,000 connects at once would measure the accept queue, not the streams
        try:
            await stream(url, secs, 1000, headers, lambda d: chunks.__setitem__(0, chunks[0] + 1))
            results["completed"] += 1
        except Exception as e:  # noqa: BLE001 - counted and reported
            results["failed"] += 1
            if len(results["errors"]) < 3:
                results["errors"].append(repr(e)[:200])
    max_rss, max_threads, samples = 0.0, 0, []
    tasks = [asyncio.create_task(one(i)) for i in range(n)]
    start = time.time()
    while not all(t.done() for t in tasks):
        rss, threads = proc(pid)
        max_rss, max_threads = max(max_rss, rss), max(max_threads, threads)
        samples.append(round(rss))
        await asyncio.sleep(1)
    results.update({"streams": n, "seconds": round(time.time() - start, 1), "chunks": chunks[0], "max_rss_mb": round(max_rss, 1),
                    "max_threads": max_threads, "rss_after_mb": round(proc(pid)[0], 1), "rss_samples_mb": samples[::10]})
    print(json.dumps(results))

async def main():
    mode = sys.argv[1]
    if mode == "upstream":
        server = await asyncio.start_server(serve_upstream, "127.0.0.1", int(sys.argv[2]), backlog=4096)
        async with server:
            await server.serve_forever()
    elif mode == "latency":
        await latency(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:])
    elif mode == "interleave":
        await interleave(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5:])
    elif mode == "hold":
        await hold(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6:])

if __name__ == "__main__":
    asyncio.run(main())
