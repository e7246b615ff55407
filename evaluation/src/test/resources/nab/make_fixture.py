# Usage: python3 make_fixture.py <NAB checkout> <detector> <out.txt.gz>
"""Compacts NAB's published ARTime outputs (numenta/NAB ea702d7, results/ARTime, MIT licence) into a run-length
fixture: per file its timestamps (start + run-length of steps in seconds), its anomaly scores (run-length of the
published strings) and its windows (labels/combined_windows.json)."""
import csv, datetime, glob, gzip, json, os, sys
nab, det, out = sys.argv[1], sys.argv[2], sys.argv[3]
windows = json.load(open(os.path.join(nab, 'labels/combined_windows.json')))
def rle(xs):
    runs = []
    for x in xs:
        if runs and runs[-1][0] == x: runs[-1][1] += 1
        else: runs.append([x, 1])
    return runs
with gzip.open(out, 'wt') as f:
    f.write('# NAB ea702d7 results/%s outputs and labels/combined_windows.json (MIT licence, Numenta)\n' % det)
    for rel in sorted(windows):
        cat, name = rel.split('/')
        rows = list(csv.DictReader(open(os.path.join(nab, 'results', det, cat, det + '_' + name))))
        ts = [datetime.datetime.strptime(r['timestamp'][:19], '%Y-%m-%d %H:%M:%S') for r in rows]
        f.write('file %s %d\n' % (rel, len(rows)))
        f.write('t %s\n' % ts[0].strftime('%Y-%m-%d %H:%M:%S'))
        for d, n in rle([int((b - a).total_seconds()) for a, b in zip(ts, ts[1:])]): f.write('d %d %d\n' % (d, n))
        for s, n in rle([r['anomaly_score'] for r in rows]): f.write('s %s %d\n' % (s, n))
        for a, b in windows[rel]: f.write('w %s|%s\n' % (a, b))
