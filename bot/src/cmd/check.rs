//! `xiaoer check [PACK]`: every problem of a content pack, one per line as
//! `file:line: message`, exit status 1 when there is any.

use anyhow::Result;

use crate::cli::CheckArgs;

pub fn run(args: CheckArgs) -> Result<()> {
    match dialogs::check_report(args.pack.as_deref()) {
        Ok(summary) => {
            println!("{summary}");
            Ok(())
        }
        Err(problems) => {
            println!("{problems}");
            // Problems are the command's answer, not a failure of the program:
            // print them plainly and signal them with the exit status.
            std::process::exit(1);
        }
    }
}
