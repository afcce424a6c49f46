# One metric of a sweep against the first swept key: one line per design
# (and per combination of the other swept keys), means with 95 % intervals.
# Input: sweep.csv (the swept keys, then design, metric, scope, unit, mean,
# ci95_low, ci95_high, replications).
# Set by `lbsim sweep`: data, out, lib, term, metric, unit, xkey, nkeys,
# xnumeric (1: the key's values are numbers), ncats and xcat1..N (the
# values in order), nseries, sdesign1..N (series S's design, by number),
# stitle1..N, svalS_K (the number of series S's value of key K >= 2),
# partial (1: other keys held at their first value). In data/sweep.csv
# designs and each key's values are numbered (include/lbsim/gnuplot.h).
load lib.'/common.gp'
# Metric and key names have underscores: print them as they are.
set termoption noenhanced
set offsets graph 0.04, graph 0.04, graph 0.04, 0
set title sprintf('%s against %s%s (95 %% intervals)', metric, xkey, \
	partial ? ', other swept keys at their first value' : '')
set xlabel xkey
set ylabel sprintf('%s (%s)', metric, unit)
cat(k) = value(sprintf('xcat%d', k))
sdesign(s) = value(sprintf('sdesign%d', s))
stitle(s) = value(sprintf('stitle%d', s))
sval(s, k) = value(sprintf('sval%d_%d', s, k))
# Gnuplot's && short-circuits, so sval(s, k) is read only for swept keys.
others(s) = (nkeys < 2 || column(2) == sval(s, 2)) && (nkeys < 3 || column(3) == sval(s, 3)) \
	&& (nkeys < 4 || column(4) == sval(s, 4)) && (nkeys < 5 || column(5) == sval(s, 5)) \
	&& (nkeys < 6 || column(6) == sval(s, 6)) && (nkeys < 7 || column(7) == sval(s, 7)) \
	&& (nkeys < 8 || column(8) == sval(s, 8))
sel(s) = column(nkeys + 1) == sdesign(s) && strcol(nkeys + 2) eq metric \
	&& strcol(nkeys + 3) eq 'all' && others(s)
# x: the value itself, or its place in the list for names (the copy of
# sweep.csv gnuplot reads numbers each key's values 1..n).
xpos(dummy) = xnumeric ? real(cat(int(column(1)))) : column(1)
# Tics at the swept values only.
set xtics ()
if (!xnumeric) {
	set xrange [0.5:ncats + 0.5]
	do for [k=1:ncats] { set xtics add (cat(k) k) }
} else {
	do for [k=1:ncats] { set xtics add (cat(k) real(cat(k))) }
}
# A series' rows are spread over the file (one point after another):
# gather each into a table first, so that its points join into a line.
# An interval is missing with one replication: draw the mean alone.
lo(dummy) = valid(nkeys + 6) ? column(nkeys + 6) : column(nkeys + 5)
hi(dummy) = valid(nkeys + 7) ? column(nkeys + 7) : column(nkeys + 5)
do for [s=1:nseries] {
	eval sprintf('set table $S%d', s)
	plot sprintf('%s/sweep.csv', data) skip 1 \
	     using (xpos(0)):(column(nkeys + 5)):(lo(0)):(hi(0)) with table if (sel(s))
	unset table
}
set datafile separator whitespace
plot for [s=1:nseries] sprintf('$S%d', s) using 1:2:3:4 with yerrorlines lw 2 pt 7 \
     lc rgb colour(s) dt dash(s) title stitle(s)
