#!/usr/bin/perl
# collectd exec plugin: the same three readings once a second (sine temperature, random-walk
# humidity, counter) as PUTVAL lines. One long-lived process; sleeps with select, no fork per tick.
use strict;
$| = 1;
my $host = $ENV{COLLECTD_HOSTNAME} || "collectd-1";
my ($h, $n) = (45, 0);
while (1) {
  my $t = time;
  $h += rand() < 0.5 ? -0.5 : 0.5;
  $h = 20 if $h < 20;
  $h = 80 if $h > 80;
  $n++;
  printf "PUTVAL \"%s/sim-env/temperature\" interval=1 N:%.3f\n", $host, 21 + 3 * sin(2 * 3.14159265 * $t / 600);
  printf "PUTVAL \"%s/sim-air/humidity\" interval=1 N:%.1f\n", $host, $h;
  printf "PUTVAL \"%s/sim-ctr/gauge\" interval=1 N:%d\n", $host, $n;
  select(undef, undef, undef, 1);
}
