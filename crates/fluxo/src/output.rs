//! Printing results: a closed output pipe (`fluxo run … | head -1`) ends the output quietly
//! instead of panicking as `println!` would.

use std::io::Write;

/// Writes each line to standard output; stops without a word when the reader has gone.
pub fn print_lines(lines: &[String]) {
    let mut stdout = std::io::stdout().lock();
    for line in lines {
        if writeln!(stdout, "{line}").is_err() {
            return;
        }
    }
    let _ = stdout.flush();
}
