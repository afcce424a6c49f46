# Shared by the lbsim plot scripts: the terminal, colours and dash
# patterns per design (the same in every picture), and helpers to pick
# rows of lbsim's tidy CSV files.
# Set by `lbsim plot`: data (the folder of gnuplot's copies of the CSV
# files, where column 1 holds the design's number, 1..N: see
# include/lbsim/gnuplot.h), out, term, ndesigns, design1..N (the names, as
# titles only), nworkloads, workload1..M, nservers, nfaults,
# fault_begin1.., fault_end1.. (seconds), svgname (the picture's name as
# an identifier, for the SVG's <title>).
set datafile separator ','
set datafile missing ''
# The terminal at a size: an opaque white background (a transparent
# picture vanishes on a dark page or slide), and for SVG a <title> that
# names the picture (gnuplot takes an identifier there; lbsim makes
# svgname one).
termset(w, h, f) = sprintf("set terminal %s size %d,%d font 'sans,%d' noenhanced background rgb 'white'%s", \
	term, w, h, f, term eq 'svg' ? sprintf(" name '%s'", svgname) : '')
eval termset(1000, 560, 11)
set output out
# Names are shown as written: no "_" read as a subscript.
set termoption noenhanced
set key outside right top
set grid ytics
array palette[8] = ['#1b6ca8', '#e07b00', '#2a9d3f', '#c0392b', '#7d3c98', '#8c564b', '#d63384', '#555555']
colour(i) = palette[(i - 1) % 8 + 1]
# Beyond 8 series the colours come again with another dash pattern, so
# that no two of the first 40 lines look alike.
dash(i) = ((i - 1) / 8) % 5 + 1
name(i) = value(sprintf('design%d', i))
wlname(k) = value(sprintf('workload%d', k))
fault_begin(f) = value(sprintf('fault_begin%d', f))
fault_end(f) = value(sprintf('fault_end%d', f))
# Shade each fault's window on a time axis (seconds).
shade_faults = 'do for [f=1:nfaults] { set object f rect from first fault_begin(f), graph 0 to first fault_end(f), graph 1 behind fc rgb "#f4d7d7" fs solid 0.6 noborder }'
# A log y axis when values from lo to hi span 100x or more (a layer-7
# proxy's memory beside a layer-4 flow table), so that the small ones are
# not flat at 0; label is the axis's name.
logy(lo, hi, label) = (hi > 0 && lo > 0 && hi >= 100 * lo) ? \
	sprintf("set logscale y; set yrange [%.17g:%.17g]; set ylabel '%s (log scale)'", lo / 3, hi * 3, label) : \
	sprintf("unset logscale y; set yrange [0:*]; set ylabel '%s'", label)
