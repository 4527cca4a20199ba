#!/usr/bin/env bash
# Same-run RSS after load, by part (issue #17): each LABEL=BINDIR[:VAR=VALUE,…] (as ab.sh takes them) is started fresh with
# run.sh's configuration (every policy on), loaded at c=8 for L8 s (15) and c=32 for L32 s (10), and its /proc/PID/smaps
# summarised on one line (MB): total, mapped files, anonymous, [heap] (glibc's main arena), the runtime's double-mapped
# memory (/memfd:doublemapper, rw = loader heaps, x = code), the GC's regions (the anonymous block around its reservation),
# glibc thread arenas (count:MB, a heuristic: 64 MB-aligned anonymous windows outside the GC's block), the rest, threads,
# mapped assemblies, and the req/s of the two load cells. The builds alternate for ROUNDS rounds (2). DETAIL=1 also prints
# the largest mappings. SAVE=DIR keeps each process's smaps and status as DIR/LABEL-rROUND.{smaps,status} (compare two with
# bench/http/smaps_diff.py); with GCDUMP=1 also a dotnet-gcdump of it after the smaps are read (DIR/LABEL-rROUND.gcdump;
# the dump forces a full GC, so it comes last). A directory holding bench/http/YarpProxy's Release output is taken as a
# build too (the bare YARP proxy over the same nginx), as the baseline of what the runtime and Kestrel take.
# Usage: bench/http/maps.sh before=/tmp/before after=src/CompanyOs.Server/bin/Release/net10.0 env=/tmp/before:MALLOC_ARENA_MAX=2
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$(mktemp -d /tmp/rss2-mp.XXXXXX)"
BENCH_TAG=mp
source "$ROOT/bench/http/lib.sh"
ROUNDS="${ROUNDS:-2}"; L8="${L8:-15}"; L32="${L32:-10}"
setup_builds "$@"
set -- "${BUILDS[@]}"
write_lua "$WORK/server.lua" "$BODY" "Authorization: Bearer $API_KEY"
for round in $(seq 1 "$ROUNDS"); do
  for build in "$@"; do
    start_build "$build"
    wrk -t2 -c8 -d${L8}s -s "$WORK/server.lua" "http://127.0.0.1:$port/v1/chat/completions" > $WORK/w8 2>&1
    wrk -t2 -c32 -d${L32}s -s "$WORK/server.lua" "http://127.0.0.1:$port/v1/chat/completions" > $WORK/w32 2>&1
    [ -n "${EXTRA_CURL:-}" ] && eval "$EXTRA_CURL" >/dev/null 2>&1 || true
    rps8=$(grep RESULT $WORK/w8 | awk '{print $3}'); rps32=$(grep RESULT $WORK/w32 | awk '{print $3}'); bad=$(grep RESULT $WORK/w32 | awk '{print $6}')
    python3 - $pid "$label" "$round" "$rps8" "$rps32" "$bad" "${DETAIL:-0}" <<'PY'
import sys, re, collections
pid,label,rnd,r8,r32,bad,detail=sys.argv[1:]
cur=None; agg=collections.Counter(); perm={}
vmas=[]
cat=collections.Counter()
for line in open(f'/proc/{pid}/smaps'):
    if re.match(r'^[0-9a-f]+-[0-9a-f]+ ', line):
        parts=line.split(); cur=parts[5] if len(parts)>5 else '[anon]'; p=parts[1]
        a,b=[int(x,16) for x in parts[0].split('-')]; vmas.append([a,b,p,cur,0])
    elif line.startswith('Rss:'):
        kb=int(line.split()[1]); agg[cur]+=kb; vmas[-1][4]=kb
        if cur.startswith('/memfd:doublemapper'): cat['dm-'+('x' if 'x' in p else 'rw')]+=kb
        elif cur=='[anon]': cat['anon']+=kb
        elif cur=='[heap]': cat['heap']+=kb
        elif cur.startswith('/'): cat['files']+=kb
        else: cat['other']+=kb
tot=sum(agg.values())
A=1<<26
anon=[v for v in vmas if v[3]=='[anon]']
gc=set()
for i,v in enumerate(anon):
    if v[1]-v[0] > (4<<30):
        j=i
        while j>0 and anon[j-1][1]==anon[j][0]: j-=1
        k=i
        while k+1<len(anon) and anon[k+1][0]==anon[k][1]: k+=1
        gc.update(range(j,k+1))
cat['gc']=sum(anon[i][4] for i in gc)
vmas=[v for i,v in enumerate(anon) if i not in gc]
wins=set(v[0] for v in vmas if v[3]=='[anon]' and v[2]=='rw-p' and v[0]%A==0 and v[1]-v[0]<=A)
# an arena window: the aligned rw-p start plus the ---p rest up to 64 MB
arena_kb=sum(v[4] for v in vmas if v[3]=='[anon]' and (v[0]//A)*A in wins)
big=sum(v[4] for v in vmas if v[3]=='[anon]' and (v[0]//A)*A not in wins)
cat['arenas']=arena_kb; cat['gc+rest']=big
thr=[l for l in open(f'/proc/{pid}/status') if l.startswith('Threads')][0].split()[1]
nasm=sum(1 for k in agg if k.endswith('.dll'))
print(f"R{rnd} {label:10s} total {tot/1024:6.1f} files {cat['files']/1024:5.1f} anon {cat['anon']/1024:5.1f} heap {cat['heap']/1024:4.1f} dm-rw {cat['dm-rw']/1024:4.1f} dm-x {cat['dm-x']/1024:4.1f} gc {cat['gc']/1024:4.1f} arenas {len(wins)}:{cat['arenas']/1024:4.1f} anonrest {cat['gc+rest']/1024:4.1f} thr {thr} dlls {nasm} rps8 {r8} rps32 {r32} bad {bad}", flush=True)
if detail=='1':
    for k,v in agg.most_common(60): print(f"   {v/1024:7.1f} MB  {k}")
PY
    if [ -n "${SAVE:-}" ]; then
      mkdir -p "$SAVE"; cp "/proc/$pid/smaps" "$SAVE/$label-r$round.smaps"; cp "/proc/$pid/status" "$SAVE/$label-r$round.status"
      [ "${GCDUMP:-0}" = 1 ] && { dotnet-gcdump collect -p "$pid" -o "$SAVE/$label-r$round.gcdump" >/dev/null 2>&1 || log "gcdump of $label failed"; }
    fi
    kill $pid; wait $pid 2>/dev/null || true
  done
done
