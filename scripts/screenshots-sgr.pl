#!/usr/bin/env perl
# Rewrites the colour codes (SGR) of a terminal capture into ones aha renders right, for
# scripts/screenshots.sh: each of the 16 terminal colours as its RGB in the One Half Dark
# scheme, and reverse video resolved into swapped colours (aha loses the colours of text in
# reverse video). stdin to stdout.
#
#   perl screenshots-sgr.pl FOREGROUND BACKGROUND    # the terminal's defaults, as rrggbb
use strict;
use warnings;

my ($default_fg, $default_bg) = @ARGV;
die "usage: screenshots-sgr.pl FOREGROUND BACKGROUND (rrggbb)\n"
  unless @ARGV == 2 && "$default_fg$default_bg" =~ /^[0-9a-f]{12}$/i;

my @palette = qw(282c34 e06c75 98c379 e5c07b 61afef c678dd 56b6c2 dcdfe4
  7f848e e06c75 98c379 e5c07b 61afef c678dd 56b6c2 dcdfe4);

# A colour is rrggbb, "5;N" for an index past the 16 (aha knows those), or undef: the default.
my ($fg, $bg, $reverse, %attributes);

sub reset_all {
  ($fg, $bg, $reverse) = (undef, undef, 0);
  %attributes = ();
}

sub indexed {
  my $n = shift;
  return $n < 16 ? $palette[$n] : "5;$n";
}

# Applies one SGR sequence's parameters to the state.
sub apply {
  my @params = map { $_ eq '' ? 0 : $_ } split /;/, shift, -1;
  @params = (0) unless @params;
  while (@params) {
    my $n = shift @params;
    if    ($n == 0)                    { reset_all() }
    elsif ($n =~ /^[123459]$/)         { $attributes{$n} = 1 }
    elsif ($n == 22)                   { delete @attributes{ 1, 2 } }
    elsif ($n =~ /^2[3459]$/)          { delete $attributes{ $n - 20 } }
    elsif ($n == 7)                    { $reverse = 1 }
    elsif ($n == 27)                   { $reverse = 0 }
    elsif ($n >= 30 && $n <= 37)       { $fg = $palette[ $n - 30 ] }
    elsif ($n >= 90 && $n <= 97)       { $fg = $palette[ $n - 82 ] }
    elsif ($n >= 40 && $n <= 47)       { $bg = $palette[ $n - 40 ] }
    elsif ($n >= 100 && $n <= 107)     { $bg = $palette[ $n - 92 ] }
    elsif ($n == 39)                   { $fg = undef }
    elsif ($n == 49)                   { $bg = undef }
    elsif ($n == 38 || $n == 48) {
      my $mode = shift(@params) // 0;
      my $colour;
      if ($mode == 5) { $colour = indexed(shift(@params) // 0) }
      elsif ($mode == 2) {
        $colour = sprintf '%02x%02x%02x', map { $_ // 0 } splice @params, 0, 3;
      }
      if   ($n == 38) { $fg = $colour }
      else            { $bg = $colour }
    }
  }
}

sub colour_code {
  my ($base, $colour) = @_;
  return "$base;$colour" if $colour =~ /^5;/;
  return join ';', $base, 2, map { hex } unpack '(A2)3', $colour;
}

# The state as one SGR sequence, without reverse video.
sub sgr {
  my ($shown_fg, $shown_bg) = $reverse ? ($bg // $default_bg, $fg // $default_fg) : ($fg, $bg);
  my @codes = (0, sort keys %attributes);
  push @codes, colour_code(38, $shown_fg) if defined $shown_fg;
  push @codes, colour_code(48, $shown_bg) if defined $shown_bg;
  return "\e[" . join(';', @codes) . 'm';
}

reset_all();
while (my $line = <STDIN>) {
  $line =~ s/\e\[([0-9;]*)m/apply($1); sgr()/ge;
  print $line;
}
