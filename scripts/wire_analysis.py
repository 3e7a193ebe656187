#!/usr/bin/env python3
"""What an observer of the wire learns about who originated each run.

Reads a tcpdump capture of loopback (Ethernet framing, as tcpdump writes for lo), the nodes' bound ports and
the run windows the driving script recorded, and prints per window every node's egress (TCP payload bytes and
packets it sent from its PUB socket) and how often each single-feature rule names the originator:
most/fewest bytes, most/fewest packets, first/last bulk packet, smoothest/roughest gaps between bulk packets
(and those gaps' spread by role). A rule at chance names it in 1/N of the runs;
the p-value is the exact two-sided binomial test's (naming it too rarely leaks as much as too often).

    usage: wire_analysis.py CAPTURE PORTS WINDOWS [--delayed K DELAY_MS]
      PORTS    comma-separated bound ports, node 1 first
      WINDOWS  a file of lines "originator-index start-epoch-seconds end-epoch-seconds"
      --delayed node K's traffic is held back by DELAY_MS on its way (PORTS names the relay's port for it):
               also report where K's first and last bulk packets lie against the others', by K's role, and
               how often the alignment rule ("K lines up with the others: K originated") is right, with
               Fisher's exact test of role against alignment
"""
import math
import struct
import sys

BULK_PAYLOAD = 1000  # bytes: heartbeats are 256 + CURVE framing; a file frame is 4117 + framing


def packets(path):
    """(time, src port, dst port, tcp payload bytes) of every IPv4 TCP packet in a pcap file."""
    with open(path, "rb") as f:
        header = f.read(24)
        magic = struct.unpack("<I", header[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        nanos = magic in (0xA1B23C4D, 0x4D3CB2A1)
        link = struct.unpack(endian + "I", header[20:24])[0]
        if link not in (1, 113):
            sys.exit(f"{path}: link type {link}, expected Ethernet (1) or Linux cooked (113)")
        skip = 14 if link == 1 else 16
        while True:
            record = f.read(16)
            if len(record) < 16:
                return
            sec, frac, caplen, _ = struct.unpack(endian + "IIII", record)
            data = f.read(caplen)
            t = sec + frac / (1e9 if nanos else 1e6)
            ip = data[skip:]
            if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
                continue
            ihl = (ip[0] & 0x0F) * 4
            total = struct.unpack(">H", ip[2:4])[0]
            tcp = ip[ihl:]
            if len(tcp) < 20:
                continue
            src, dst = struct.unpack(">HH", tcp[:4])
            offset = (tcp[12] >> 4) * 4
            yield t, src, dst, total - ihl - offset


def binomial_two_sided(hits, n, p):
    """Exact two-sided binomial test: a rule that names the originator too rarely tells as much as one that
    names it too often (the observer inverts it)."""
    pmf = [math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(n + 1)]
    return min(1.0, sum(x for x in pmf if x <= pmf[hits] * (1 + 1e-9)))


def fisher_two_sided(a, b, c, d):
    """Fisher's exact test of a 2x2 table [[a, b], [c, d]]: the probability of a table at most as likely as
    this one, with the margins fixed."""
    row, col, n = a + b, a + c, a + b + c + d

    def p(x):
        return math.comb(col, x) * math.comb(n - col, row - x) / math.comb(n, row)

    observed = p(a)
    return min(1.0, sum(p(x) for x in range(max(0, row + col - n), min(row, col) + 1) if p(x) <= observed * (1 + 1e-9)))


def alignment(windows, stats, k, delay_ms):
    """Where the delayed node K's first and last bulk packets lie against the median of the others', by role."""
    n = len(stats[0]["first"])
    rows = {True: [], False: []}
    for (origin, _, _), s in zip(windows, stats):
        if any(s[key][i] is None for key in ("first", "last") for i in range(n)):
            continue
        others = [i for i in range(n) if i != k]
        lead = {key: 1000 * (s[key][k] - sorted(s[key][i] for i in others)[len(others) // 2]) for key in ("first", "last")}
        rows[origin == k].append(lead)
    print(f"\nnode{k + 1}'s traffic held back {delay_ms:g} ms on its way; its bulk packets against the others' median (ms):")
    for role, leads in ((True, rows[True]), (False, rows[False])):
        if leads:
            first = sorted(x["first"] for x in leads)
            last = sorted(x["last"] for x in leads)
            print(f"  {'originator' if role else 'receiver  '} ({len(leads):2d} runs): first {first[0]:+7.1f} .. {first[-1]:+7.1f} "
                  f"(median {first[len(first) // 2]:+7.1f}), last {last[0]:+7.1f} .. {last[-1]:+7.1f} (median {last[len(last) // 2]:+7.1f})")
    # The rule of the attack: K's first bulk packet lines up with the others' (closer to 0 than to the delay)
    # exactly when every receiver shifted its schedule by K's delay, i.e. when K originated.
    aligned = {role: sum(abs(x["first"]) < abs(x["first"] - delay_ms) for x in leads) for role, leads in rows.items()}
    a, b = aligned[True], len(rows[True]) - aligned[True]
    c, d = aligned[False], len(rows[False]) - aligned[False]
    right = a + d
    total = a + b + c + d
    p = fisher_two_sided(a, b, c, d)
    print(f"  alignment rule: node{k + 1} aligned in {a}/{a + b} runs it originated and {c}/{c + d} it did not; "
          f"right about its role in {right}/{total}; Fisher p = {p:.3f} ({'NOT chance' if p < 0.05 else 'chance'})")


def main():
    capture, ports_arg, windows_file = sys.argv[1:4]
    delayed = None
    if len(sys.argv) > 4 and sys.argv[4] == "--delayed":
        delayed = (int(sys.argv[5]), float(sys.argv[6]))
    ports = [int(p) for p in ports_arg.split(",")]
    node_of = {port: i for i, port in enumerate(ports)}
    n = len(ports)
    windows = []
    with open(windows_file) as f:
        for line in f:
            if line.strip():
                o, a, b = line.split()
                windows.append((int(o), float(a), float(b)))
    stats = [{"bytes": [0] * n, "packets": [0] * n, "first": [None] * n, "last": [None] * n, "bulk": [{} for _ in range(n)]}
             for _ in windows]
    w = 0
    for t, src, dst, payload in packets(capture):
        node = node_of.get(src)
        if node is None or payload <= 0:
            continue
        while w < len(windows) and t > windows[w][2]:
            w += 1
        if w == len(windows):
            break
        if t < windows[w][1]:
            continue
        s = stats[w]
        s["bytes"][node] += payload
        s["packets"][node] += 1
        if payload >= BULK_PAYLOAD:
            if s["first"][node] is None:
                s["first"][node] = t
            s["last"][node] = t
            s["bulk"][node].setdefault(dst, []).append(t)
    for s in stats:
        s["gaps"] = [gap_spread(links) for links in s["bulk"]]
    rules = {
        "most bytes": lambda s: max(range(n), key=lambda i: s["bytes"][i]),
        "fewest bytes": lambda s: min(range(n), key=lambda i: s["bytes"][i]),
        "most packets": lambda s: max(range(n), key=lambda i: s["packets"][i]),
        "fewest packets": lambda s: min(range(n), key=lambda i: s["packets"][i]),
        "first bulk packet": lambda s: min(range(n), key=lambda i: s["first"][i] or math.inf),
        "last bulk packet": lambda s: max(range(n), key=lambda i: s["last"][i] or -math.inf),
        "smoothest gaps": lambda s: min(range(n), key=lambda i: s["gaps"][i]),
        "roughest gaps": lambda s: max(range(n), key=lambda i: s["gaps"][i]),
    }
    hits = {name: 0 for name in rules}
    spreads = []
    print("run  originator  bytes per node (MiB)            spread   packets per node")
    for k, ((origin, _, _), s) in enumerate(zip(windows, stats)):
        total = s["bytes"]
        spread = (max(total) - min(total)) / max(1, max(total))
        spreads.append(spread)
        for name, rule in rules.items():
            hits[name] += rule(s) == origin
        print(f"{k + 1:3d}  node{origin + 1}       " + " ".join(f"{b / 1048576:8.2f}" for b in total)
              + f"   {100 * spread:5.2f} %  " + " ".join(f"{p:7d}" for p in s["packets"]))
    runs = len(windows)
    spreads.sort()
    print(f"\nper-window egress spread (max-min)/max over {runs} runs: median {100 * spreads[runs // 2]:.2f} %, "
          f"worst {100 * spreads[-1]:.2f} %, runs within 1 %: {sum(x <= 0.01 for x in spreads)}/{runs}")
    print(f"rules naming the originator (chance = 1/{n} = {runs / n:.1f} of {runs}; Bonferroni over {len(rules)} rules):")
    for name, h in hits.items():
        p = binomial_two_sided(h, runs, 1 / n)
        verdict = "NOT chance" if p * len(rules) < 0.05 else "chance"
        print(f"  {name:18s} {h:3d}/{runs}  p = {p:.3f}  {verdict}")
    gaps_by_role(windows, stats)
    if delayed:
        alignment(windows, stats, *delayed)


def gap_spread(links):
    """The standard deviation (ms) of the gaps between one node's bulk packets on its busiest connection:
    how evenly its frames leave (the sending thread's lateness, as the wire shows it)."""
    if not links:
        return math.inf
    times = max(links.values(), key=len)
    gaps = [b - a for a, b in zip(times, times[1:])]
    if len(gaps) < 2:
        return math.inf
    mean = sum(gaps) / len(gaps)
    return 1000 * math.sqrt(sum((g - mean) ** 2 for g in gaps) / (len(gaps) - 1))


def gaps_by_role(windows, stats):
    """The gap spread of originators and receivers side by side: a receiver's decrypting, writing and hashing
    must not make its frames leave less evenly than the originator's."""
    roles = {"originator": [], "receiver": []}
    for (origin, _, _), s in zip(windows, stats):
        for i, g in enumerate(s["gaps"]):
            if g != math.inf:
                roles["originator" if i == origin else "receiver"].append(g)
    print("\ngap spread between a node's bulk packets on its busiest connection (std, ms), by role:")
    for role, values in roles.items():
        if values:
            v = sorted(values)
            q = lambda f: v[min(len(v) - 1, int(f * len(v)))]
            print(f"  {role:10s} ({len(v):3d} node-runs): p10 {q(0.1):6.3f}  median {q(0.5):6.3f}  p90 {q(0.9):6.3f}  max {v[-1]:6.3f}")


if __name__ == "__main__":
    main()
