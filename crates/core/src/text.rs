//! Free text from clients: capped length, no control characters, and in identifiers no
//! invisible characters.

/// Why a text is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextError {
    Empty,
    TooLong {
        max_chars: u32,
    },
    ControlCharacter,
    /// A bidirectional control, zero-width or other invisible formatting character (U+202E,
    /// U+200B, U+FEFF, …) where nobody can mean one: an email, an order id, a link.
    InvisibleCharacter {
        code_point: u32,
    },
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextError::Empty => f.write_str("must not be empty"),
            TextError::TooLong { max_chars } => {
                write!(f, "must have at most {max_chars} characters")
            }
            TextError::ControlCharacter => f.write_str("must not contain control characters"),
            TextError::InvisibleCharacter { code_point } => write!(
                f,
                "must not contain invisible characters (U+{code_point:04X}: a direction mark, \
                 zero-width or formatting character)"
            ),
        }
    }
}

/// What a text is for, and so which characters it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A name programs and people match exactly (order ids, links, actors): one line, no
    /// control and no invisible characters.
    Identifier,
    /// One line of free text (labels, search words): no control characters. Direction marks and
    /// joiners may be meant in free text (Arabic, Hebrew, emoji), so they pass.
    Line,
    /// Free text over several lines (descriptions, reasons, observations): line breaks and tabs
    /// allowed, other control characters not.
    Lines,
}

/// Whether a text may be empty or only spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blank {
    Allowed,
    Refused,
}

/// The rule for one text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRule {
    pub max_chars: u32,
    pub kind: TextKind,
    pub blank: Blank,
}

impl TextRule {
    /// A rule of this kind and length where empty text is allowed (the field's absence is
    /// decided elsewhere).
    pub const fn new(kind: TextKind, max_chars: u32) -> TextRule {
        TextRule {
            max_chars,
            kind,
            blank: Blank::Allowed,
        }
    }

    /// The same rule, refusing empty or blank text.
    pub const fn not_blank(self) -> TextRule {
        TextRule {
            blank: Blank::Refused,
            ..self
        }
    }
}

/// `text` cut to at most `max_chars` characters, on a character boundary, the last one `…`
/// when it was cut. The one way text is shortened for display, logs and stored errors: a cut by
/// bytes (`String::truncate`) panics inside a multi-byte character.
pub fn shorten(text: &str, max_chars: u32) -> String {
    let max_chars = max_chars as usize;
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    match max_chars.checked_sub(1) {
        Some(kept) => {
            let at = text
                .char_indices()
                .nth(kept)
                .map_or(text.len(), |(at, _)| at);
            format!("{}…", &text[..at])
        }
        None => String::new(),
    }
}

/// Checks `text` against `rule`.
pub fn check(text: &str, rule: TextRule) -> Result<(), TextError> {
    if rule.blank == Blank::Refused && text.trim().is_empty() {
        return Err(TextError::Empty);
    }
    if text.chars().count() > rule.max_chars as usize {
        return Err(TextError::TooLong {
            max_chars: rule.max_chars,
        });
    }
    let line_break = |c: char| matches!(c, '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}');
    for c in text.chars() {
        let allowed_break = rule.kind == TextKind::Lines && line_break(c);
        if (c.is_control() || line_break(c)) && !allowed_break {
            return Err(TextError::ControlCharacter);
        }
        if rule.kind == TextKind::Identifier && is_invisible(c) {
            return Err(TextError::InvisibleCharacter {
                code_point: u32::from(c),
            });
        }
    }
    Ok(())
}

/// Characters that show nothing, or change how the text around them shows: Unicode's format
/// characters (category Cf: bidirectional controls U+202A–U+202E and U+2066–U+2069, the marks
/// U+200E/U+200F/U+061C, zero-width U+200B–U+200D, word joiner U+2060, invisible operators,
/// U+FEFF, soft hyphen, tags), plus the combining grapheme joiner, variation selectors and the
/// Hangul fillers, which render as nothing.
pub fn is_invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD
            | 0x034F
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0x2066..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF9..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0001
            | 0xE0020..=0xE007F
            | 0xE0100..=0xE01EF
    )
}

#[cfg(test)]
mod tests {
    use super::shorten;

    #[test]
    fn shorten_keeps_short_text_and_cuts_on_characters() {
        let cases: &[(&str, u32, &str)] = &[
            ("abc", 3, "abc"),
            ("abcd", 3, "ab…"),
            ("ééééé", 4, "ééé…"),
            ("", 3, ""),
            ("é", 0, ""),
            ("", 0, ""),
            ("éé", 1, "…"),
            ("x<y@éééé.com", 6, "x<y@é…"),
        ];
        for (text, max, expect) in cases {
            assert_eq!(shorten(text, *max), *expect, "{text} to {max}");
        }
        let long = format!("550 {}", "é".repeat(100));
        let cut = shorten(&long, 50);
        assert_eq!(cut.chars().count(), 50);
        assert!(long.starts_with(cut.trim_end_matches('…')));
    }
}
