#!/usr/bin/env python3
"""Resident memory of two processes side by side, by mapped file (issue #17's RSS comparisons).

Usage: bench/http/smaps_diff.py A.smaps B.smaps [MIN_KB]   (files as maps.sh's SAVE=DIR keeps them)

Prints, in MB, every mapped file (by base name: assemblies, native libraries) with its resident size in A and in B, the
files only B maps first (largest first), then those only A maps, then those both map whose size differs by at least
MIN_KB (100), and a total line per group. Anonymous memory is summed by kind: [heap], the runtime's double mapping
(rw = loader heaps, x = code), other anonymous memory, stacks.
"""
import collections
import os
import re
import sys


def read(path):
    rss = collections.Counter()
    cur = None
    for line in open(path):
        if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
            parts = line.split()
            name = parts[5] if len(parts) > 5 else '[anon]'
            perm = parts[1]
            if name.startswith('/memfd:doublemapper'):
                name = '[doublemapper ' + ('x' if 'x' in perm else 'rw') + ']'
            elif name.startswith('/'):
                name = os.path.basename(name)
            cur = name
        elif line.startswith('Rss:') and cur is not None:
            rss[cur] += int(line.split()[1])
    return rss


def main():
    a_path, b_path = sys.argv[1], sys.argv[2]
    min_kb = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    a, b = read(a_path), read(b_path)
    la, lb = os.path.basename(a_path), os.path.basename(b_path)
    anon = lambda k: k.startswith('[')
    print(f"{'MB':>7} {'MB':>7}  {'':8} file  (A = {la}, B = {lb})")
    groups = [
        ('only B', sorted((k for k in b if k not in a and not anon(k)), key=lambda k: -b[k])),
        ('only A', sorted((k for k in a if k not in b and not anon(k)), key=lambda k: -a[k])),
        ('both, differing', sorted((k for k in a if k in b and not anon(k) and abs(a[k] - b[k]) >= min_kb),
                                   key=lambda k: a[k] - b[k])),
        ('anonymous', sorted(k for k in set(a) | set(b) if anon(k))),
    ]
    for title, keys in groups:
        print(f"-- {title}")
        for k in keys:
            print(f"{a[k] / 1024:7.2f} {b[k] / 1024:7.2f}  {(b[k] - a[k]) / 1024:+8.2f} {k}")
        print(f"{sum(a[k] for k in keys) / 1024:7.2f} {sum(b[k] for k in keys) / 1024:7.2f}  "
              f"{sum(b[k] - a[k] for k in keys) / 1024:+8.2f} total ({len(keys)})")
    files_a = sum(v for k, v in a.items() if not anon(k))
    files_b = sum(v for k, v in b.items() if not anon(k))
    print(f"files   {files_a / 1024:7.2f} {files_b / 1024:7.2f}  {(files_b - files_a) / 1024:+8.2f}")
    print(f"total   {sum(a.values()) / 1024:7.2f} {sum(b.values()) / 1024:7.2f}  {(sum(b.values()) - sum(a.values())) / 1024:+8.2f}")


if __name__ == '__main__':
    main()
