//! Free text from clients: capped length, no control characters.

/// Why a text is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextError {
    Empty,
    TooLong { max_chars: u32 },
    ControlCharacter,
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextError::Empty => f.write_str("must not be empty"),
            TextError::TooLong { max_chars } => {
                write!(f, "must have at most {max_chars} characters")
            }
            TextError::ControlCharacter => f.write_str("must not contain control characters"),
        }
    }
}

/// Checks `text`: at most `max_chars` characters, no control characters (line breaks allowed
/// when `multiline`), and not blank unless `allow_empty`.
pub fn check(
    text: &str,
    max_chars: u32,
    multiline: bool,
    allow_empty: bool,
) -> Result<(), TextError> {
    if !allow_empty && text.trim().is_empty() {
        return Err(TextError::Empty);
    }
    if text.chars().count() > max_chars as usize {
        return Err(TextError::TooLong { max_chars });
    }
    let allowed = |c: char| multiline && (c == '\n' || c == '\r' || c == '\t');
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(TextError::ControlCharacter);
    }
    Ok(())
}
