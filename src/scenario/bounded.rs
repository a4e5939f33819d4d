//! The one way surge reads a file: a regular file only (a FIFO would hang, a device never end),
//! opened without blocking and checked on the open handle, and never more than a cap; text must
//! be UTF-8. Every input and every file read back from a results folder goes through here.

use std::io::Read;
use std::path::Path;

/// Largest input file read (scenario, parameters, priors, observations): the shipped ones are a
/// few kilobytes, so 16 MiB is room for any real file and stops `surge check /dev/zero`.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// Largest results file read back (runs.csv of many runs, a part's summaries): 1 GiB.
pub const MAX_RESULT_BYTES: u64 = 1 << 30;

/// Reads at most `cap` bytes of the regular file `path`; anything else is an error that says
/// what the path is and what was expected.
pub fn read_capped(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(std::io::Error::other(format!(
            "larger than {}, the most surge reads of such a file",
            size(cap)
        )));
    }
    Ok(bytes)
}

/// A results file (at most [`MAX_RESULT_BYTES`]).
pub fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    read_capped(path, MAX_RESULT_BYTES)
}

/// A results file as UTF-8 text (at most [`MAX_RESULT_BYTES`]).
pub fn read_text(path: &Path) -> std::io::Result<String> {
    text(read(path)?)
}

/// A text file of at most `cap` bytes.
pub fn read_text_capped(path: &Path, cap: u64) -> std::io::Result<String> {
    text(read_capped(path, cap)?)
}

fn text(bytes: Vec<u8>) -> std::io::Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text: {e}"),
        )
    })
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{} GiB", bytes >> 30)
    } else {
        format!("{} MiB", bytes >> 20)
    }
}

/// Opens `path` for reading if it is a regular file. On Unix the open does not block (a FIFO
/// opens at once instead of waiting for a writer) and the type is checked on the handle, so a
/// path swapped after a check cannot slip through.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc_nonblock());
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a FIFO, socket or device)"
        };
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("is {what}; expected a file"),
        ));
    }
    Ok(file)
}

#[cfg(all(unix, target_os = "linux"))]
fn libc_nonblock() -> i32 {
    libc::O_NONBLOCK
}

#[cfg(all(unix, not(target_os = "linux")))]
fn libc_nonblock() -> i32 {
    0x0004 // O_NONBLOCK on the BSDs and macOS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_under_the_cap_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.txt");
        std::fs::write(&f, "hello").unwrap();
        assert_eq!(read_text(&f).unwrap(), "hello");
        assert!(
            read_capped(&f, 4)
                .unwrap_err()
                .to_string()
                .contains("larger than")
        );
        let e = read(dir.path()).unwrap_err().to_string();
        assert!(e.contains("a folder"), "{e}");
        #[cfg(target_os = "linux")]
        {
            let e = read(Path::new("/dev/zero")).unwrap_err().to_string();
            assert!(e.contains("not a regular file"), "{e}");
            let fifo = dir.path().join("fifo");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
            // Refused at once, without waiting for a writer.
            let e = read(&fifo).unwrap_err().to_string();
            assert!(e.contains("not a regular file"), "{e}");
            std::os::unix::fs::symlink("/dev/zero", dir.path().join("z")).unwrap();
            assert!(read(&dir.path().join("z")).is_err());
        }
        std::fs::write(&f, [0xff, 0xfe]).unwrap();
        assert!(read_text(&f).unwrap_err().to_string().contains("UTF-8"));
    }
}
