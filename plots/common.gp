# Shared by the lbsim plot scripts: colours per design (the same in every
# picture), and helpers to pick rows of lbsim's tidy CSV files.
# Set by `lbsim plot`: data (the folder of gnuplot's copies of the CSV
# files, where column 1 holds the design's number, 1..N: see
# include/lbsim/gnuplot.h), out, term, ndesigns, design1..N (the names, as
# titles only), nworkloads, workload1..M, nservers, nfaults,
# fault_begin1.., fault_end1.. (seconds).
set datafile separator ','
set datafile missing ''
set terminal term size 1000,560 font 'sans,11' noenhanced
set output out
# Names are shown as written: no "_" read as a subscript.
set termoption noenhanced
set key outside right top
set grid ytics
array palette[8] = ['#1b6ca8', '#e07b00', '#2a9d3f', '#c0392b', '#7d3c98', '#8c564b', '#d63384', '#555555']
colour(i) = palette[(i - 1) % 8 + 1]
name(i) = value(sprintf('design%d', i))
wlname(k) = value(sprintf('workload%d', k))
fault_begin(f) = value(sprintf('fault_begin%d', f))
fault_end(f) = value(sprintf('fault_end%d', f))
# Shade each fault's window on a time axis (seconds).
shade_faults = 'do for [f=1:nfaults] { set object f rect from first fault_begin(f), graph 0 to first fault_end(f), graph 1 behind fc rgb "#f4d7d7" fs solid 0.6 noborder }'
