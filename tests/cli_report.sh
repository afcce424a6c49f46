#!/usr/bin/env bash
# lbsim report on a run's, a sweep's and a plan's folder: report.md and a
# self-contained report.html (no network: pictures inside as data: URIs,
# a Content-Security-Policy that allows nothing else), figures in the
# units a reader uses with their intervals and equal to the CSV's, the
# per-workload section, the model's scope, names that stay text; and the
# pictures' promises (SVG titles, white background, intervals on the
# share, log axes across decades, coinciding curves said, a single plan
# level as bars). Usage: cli_report.sh LBSIM_BINARY SOURCE_DIR
set -u
lbsim=$1
src=$2
. "$(dirname "$0")/lib_cli.sh"

# Three designs whose balancer memory differs by decades (l4 flows, l7
# proxied connections), three workloads, a workload fault, and names a
# browser would read as markup.
cat >"$tmp/r.yaml" <<'YAML'
name: report <test> & "names"
duration: 4m
warmup: 30s
seed: 21
replications: 3
servers: { count: 4, cores: 4 }
populations:
  - { name: 'office <b>', users: 400, source: nat, addresses: 3, clients: [owa, eas, mapi] }
  - { name: home, users: 300, clients: [owa, mapi] }
designs:
  - { name: '<img src=x onerror=alert(1)>', kind: l4, balance: source, implementation: kernel-nat }
  - { name: multi, kind: l4-multi, balance: leastconn }
  - { name: l7, kind: l7 }
faults:
  - { at: 2m, server: 2, workload: eas, for: 1m }
YAML
o=$tmp/run
check "run --plot lists every file it wrote" bash -c "
  '$lbsim' run -j 2 --plot -o '$o' '$tmp/r.yaml' >'$tmp/run.out' &&
  line=\$(grep '^results: ' '$tmp/run.out') &&
  for f in \$(ls '$o'); do case \" \$line \" in *\" \$f \"*|*\"/\$f \"*) ;; *) echo \"  not listed: \$f\"; exit 1 ;; esac; done &&
  [ \$(echo \"\$line\" | wc -w) -eq \$(( \$(ls '$o' | wc -l) + 1 )) ]"
check "report: report.md and report.html" bash -c "
  '$lbsim' report '$o' >'$tmp/rep.out' && grep -q 'report.html' '$tmp/rep.out' &&
  [ -s '$o/report.md' ] && [ -s '$o/report.html' ]"
h=$o/report.html
check "HTML: self-contained, nothing fetched, nothing run" bash -c "
  grep -q \"Content-Security-Policy\\\" content=\\\"default-src 'none'; img-src data:\" '$h' &&
  ! grep -qiE '<script|<link|<iframe|@import|url\\(|src=\"(https?:|//)|href=' '$h' &&
  [ \$(grep -o '<img ' '$h' | wc -l) -eq 7 ] &&
  [ \$(grep -o 'src=\"data:image/svg+xml;base64,' '$h' | wc -l) -eq 7 ]"
check "HTML: a picture inside is the plot's SVG" bash -c "
  grep -o 'alt=\"Share of requests per server[^\"]*\" src=\"data:image/svg+xml;base64,[^\"]*' '$h' |
    sed 's/.*base64,//' | base64 -d >'$tmp/share.svg' && cmp -s '$tmp/share.svg' '$o/share.svg'"
check "HTML: names are text, never markup" bash -c "
  ! grep -q '<img src=x' '$h' && ! grep -q '<b>' '$h' &&
  grep -q '&lt;img src=x onerror=alert(1)&gt;' '$h' && grep -q 'report &lt;test&gt; &amp; &quot;names&quot;' '$h' &&
  grep -q 'office &lt;b&gt;' '$h'"
check "Markdown: names are text too" bash -c "
  ! grep -q '<img src=x' '$o/report.md' && grep -qF '&lt;img src=x onerror=alert(1)&gt;' '$o/report.md'"
check "HTML: every element closed" bash -c "
  [ \$(grep -o '<table>' '$h' | wc -l) -eq \$(grep -o '</table>' '$h' | wc -l) ] &&
  [ \$(grep -o '<tr>' '$h' | wc -l) -eq \$(grep -o '</tr>' '$h' | wc -l) ] &&
  [ \$(grep -o '<ul>' '$h' | wc -l) -eq \$(grep -o '</ul>' '$h' | wc -l) ] &&
  tail -1 '$h' | grep -q '</html>'"

# The headline: servers busy as %, p99 in ms, memory in kB/MB/GB, with
# intervals; the figures those of summary.csv.
check "headline: server busy, units a reader uses, intervals" bash -c "
  grep -q '^| design | servers busy (mean) | busiest server | p99 response |' '$o/report.md' &&
  grep -E '^\\| &lt;img[^|]*\\| [0-9.]+ % .*\\| [0-9.]+ ms \\(' '$o/report.md' | grep -qE '[0-9.]+ kB' &&
  grep -E '^\\| l7 \\| ' '$o/report.md' | head -1 | grep -qE '[0-9.]+ MB \\([0-9.]+–[0-9.]+\\)'"
check "headline: the busiest server's busy share is summary.csv's" bash -c "
  want=\$(awk -F, '\$1 == \"l7\" && \$2 == \"server_busy_max\" && \$3 == \"all\" { printf \"%.1f %%\", 100 * \$5 }' '$o/summary.csv') &&
  grep '^| l7 | ' '$o/report.md' | head -1 | grep -qF \"| \$want\""
check "address draw: the source-hashing design's peak/mean, replication by replication, as runs.csv has it" bash -c "
  want=\$(awk -F, '\$3 == \"peak_to_mean\" && \$4 == \"all\" && \$1 ~ /^<img/ { printf \"%s%.2f\", n++ ? \", \" : \"\", \$6 }' '$o/runs.csv') &&
  awk '/^## Skew that depends on the address draw/ { on = 1; next } /^## / { on = 0 } on' '$o/report.md' >'$tmp/draw.md' &&
  grep -q 'office &lt;b&gt; 3; home 300' '$tmp/draw.md' &&
  [ \$(grep -c '^| ' '$tmp/draw.md') -eq 2 ] && grep -qF \"| \$want |\" '$tmp/draw.md'"
check "per-workload section: each workload used, each design" bash -c "
  for w in 'owa (/owa)' 'eas (/Microsoft-Server-ActiveSync)' 'mapi (/mapi)'; do
    grep -qF \"### \$w\" '$o/report.md' || exit 1
  done
  ! grep -q '### ecp' '$o/report.md' &&
  [ \$(awk '/^### eas/ { on = 1; next } /^#/ { on = 0 } on && /^\\| (multi|l7|&lt;img)/' '$o/report.md' | wc -l) -eq 3 ]"
check "the model's scope: roles, costs and their source, what is left out" bash -c "
  grep -q '^## What this model includes and leaves out' '$o/report.md' &&
  grep -q 'Roles:\\*\\* .*one tier of 4 servers of 4 cores' '$o/report.md' &&
  grep -q 'Balancer cost:\\*\\* l7 (l7) is a proxy terminating TLS.*full TLS handshake (rsa-2048) 753.1 us' '$o/report.md' &&
  grep -q \"cost profile 'haproxy', built in, profiles/haproxy.yaml (mixed: HAProxy 2.6 intro manual\" '$o/report.md' && grep -q \"cost profile 'ipvs'\" '$o/report.md' &&
  grep -q 'Response time:\\*\\* .*office &lt;b&gt;: lan, 0.5 ms plus a jitter' '$o/report.md' &&
  grep -q 'Network:\\*\\* Network limits' '$o/report.md' && grep -q 'Mailbox role' '$o/report.md'"
check "paired differences and provenance" bash -c "
  grep -q '^## Compared with the first design' '$o/report.md' &&
  grep -q '^| command | run |' '$o/report.md' && grep -q '^| seed | 21 |' '$o/report.md'"

# Pictures.
check "SVG: a title naming the picture, an opaque background" bash -c "
  for p in share busy conns load cost availability latency; do
    grep -q \"<title>lbsim_\$p</title>\" '$o/'\$p.svg || exit 1
    grep -q '<rect x=\"0\" y=\"0\" width=\"[0-9]*\" height=\"[0-9]*\" fill=\"#ffffff\"' '$o/'\$p.svg || exit 1
  done"
check "share: intervals drawn; cost: memory on a log axis (decades apart)" bash -c "
  grep -q 'bars: 95 % intervals' '$o/share.svg' && grep -q 'MB (log scale)' '$o/cost.svg'"
check "load: health transitions marked apart from the servers" bash -c "
  grep -q 'health check: marked down' '$o/load.svg'"
# The three designs' response times differ (a TLS-terminating l7 adds its
# handshakes' work and its connections to the servers); two designs alike
# coincide, and the picture says so.
cat >"$tmp/twin.yaml" <<'YAML'
name: twins
duration: 1m
seed: 21
servers: { count: 2, cores: 2 }
populations:
  - { name: office, users: 200, clients: [owa, mapi] }
designs:
  - { name: one, kind: l4 }
  - { name: two, kind: l4 }
YAML
check "latency: the tail zoomed, coinciding curves said, differing ones not" bash -c "
  grep -q 'the tail' '$o/latency.svg' && ! grep -q \"curves coincide (within\" '$o/latency.svg' &&
  '$lbsim' run --plot -o '$tmp/twin' '$tmp/twin.yaml' >/dev/null &&
  grep -q \"curves coincide (within\" '$tmp/twin/latency.svg'"

# A sweep's folder.
cat >"$tmp/s.yaml" <<'YAML'
name: sweep report
duration: 40s
warmup: 5s
seed: 3
replications: 2
servers: { count: 3, cores: 2, service: 10ms }
populations:
  - { name: lan, users: 400, rate: 0.5 }
designs:
  - { name: rr, kind: l4, balance: roundrobin }
  - { name: l7, kind: l7 }
YAML
check "sweep: its closing line lists its pictures" bash -c "
  '$lbsim' sweep -j 2 -o '$tmp/sw' --set servers.count=2,3 --set population.lan.users=300,500 '$tmp/s.yaml' >'$tmp/sw.out' 2>/dev/null &&
  grep -q '^results: .*sweep.csv scenario.yaml provenance.csv .*sweep_lb_mem_bytes.svg\$' '$tmp/sw.out'"
check "sweep: report with what was swept and a row per point" bash -c "
  '$lbsim' report '$tmp/sw' >/dev/null &&
  grep -q '^## What was swept' '$tmp/sw/report.md' && grep -q '^- servers.count=2,3\$' '$tmp/sw/report.md' &&
  [ \$(awk '/^## Response time, p99/ { on = 1; next } /^#/ { on = 0 } on && /^\\| [23] \\| [35]00 \\|/' '$tmp/sw/report.md' | wc -l) -eq 4 ] &&
  [ \$(grep -o 'src=\"data:image/svg+xml;base64,' '$tmp/sw/report.html' | wc -l) -eq 6 ]"
check "sweep: the table's figure is sweep.csv's" bash -c "
  want=\$(awk -F, '\$1 == 3 && \$2 == 500 && \$3 == \"rr\" && \$4 == \"server_busy_max\" && \$5 == \"all\" { printf \"%.1f %%\", 100 * \$7 }' '$tmp/sw/sweep.csv') &&
  awk '/^## Busiest/ { on = 1; next } /^#/ { on = 0 } on' '$tmp/sw/report.md' | grep '^| 3 | 500 |' | grep -qF \"| \$want\""

# A plan's folder, one users level: bars.
check "plan: report with targets, scope, the plan and the reference" bash -c "
  '$lbsim' plan -q -j 2 -o '$tmp/pl' --spare 1 --max-server-busy 0.7 '$tmp/s.yaml' &&
  '$lbsim' report '$tmp/pl' >/dev/null &&
  grep -q '^\\*\\*Targets:\\*\\* \\\\--max-server-busy 0.7 --spare 1\\.\$' '$tmp/pl/report.md' &&
  grep -q 'Scope: \"servers\" are' '$tmp/pl/report.md' &&
  grep -q '^| 400 | rr | 3 (1) | 2 | unlimited | .* | 3 | yes |\$' '$tmp/pl/report.md' &&
  grep -q 'Capacity per design' '$tmp/pl/plan.svg' &&
  [ \$(grep -o 'src=\"data:image/svg+xml;base64,' '$tmp/pl/report.html' | wc -l) -eq 1 ]"

# A design that reads the client's address: the plan's report sets the
# busiest server's mean beside its worst replication, as plan.csv has
# it; a sweep's says its intervals are of the mean; a plan with no such
# design has no such section.
cat >"$tmp/h.yaml" <<'YAML'
name: draw report
duration: 40s
warmup: 5s
seed: 3
replications: 4
servers: { count: 3, cores: 2, service: 10ms }
populations:
  - { name: lan, users: 400, rate: 0.5, source: nat, addresses: 12 }
designs:
  - { name: hash, kind: l4, balance: source }
  - { name: rr, kind: l4, balance: roundrobin }
YAML
check "plan: the address-draw section gives the worst replication of plan.csv" bash -c "
  '$lbsim' plan -q -j 2 --no-plot -o '$tmp/ph' --max-server-busy 0.7 '$tmp/h.yaml' &&
  '$lbsim' report '$tmp/ph' >/dev/null &&
  want=\$(awk -F, 'NR > 1 && \$2 == \"hash\" { printf \"%.1f %%\", 100 * \$NF }' '$tmp/ph/plan.csv') &&
  awk '/^## Skew that depends on the address draw/ { on = 1; next } /^## / { on = 0 } on' '$tmp/ph/report.md' >'$tmp/ph.md' &&
  grep -q '^hash picks servers from the client' '$tmp/ph.md' && grep -q 'judged the mean' '$tmp/ph.md' &&
  grep '^| 400 | hash |' '$tmp/ph.md' | grep -qF \"| \$want |\" && ! grep -q '| rr |' '$tmp/ph.md' &&
  ! grep -q 'address draw' '$tmp/pl/report.md'"
check "sweep: the address-draw section says its intervals are of the mean" bash -c "
  '$lbsim' sweep -q -j 2 --no-plot -o '$tmp/sh' --set servers.count=3,4 '$tmp/h.yaml' &&
  '$lbsim' report '$tmp/sh' >/dev/null &&
  grep -A2 '^## Skew that depends on the address draw' '$tmp/sh/report.md' | grep -q '^hash picks servers .*intervals here are of the mean' &&
  ! grep -q 'address draw' '$tmp/sw/report.md'"

# Without gnuplot a report is still written, and says there are no plots.
mkdir -p "$tmp/nognuplot"
check "report without gnuplot: written, says so" bash -c "
  '$lbsim' run -q -o '$tmp/ng' '$tmp/s.yaml' &&
  PATH='$tmp/nognuplot' '$lbsim' report '$tmp/ng' >/dev/null 2>&1 &&
  grep -q 'No plots: gnuplot was not available' '$tmp/ng/report.html' && ! grep -q '<img' '$tmp/ng/report.html'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
