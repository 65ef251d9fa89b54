//! An import's file read (core's `import::FileReader`): header, BOM, CRLF, empty lines,
//! quoting, every refusal naming its line — and the same bytes read alike however they are cut
//! into pieces (a request's frames, stored parts), a line too long refused as it arrives.
//! Native and wasm; the property test (any cut of any file) natively.

use creditdesk_core::import::{
    read_file, FileReader, ImportFile, ImportKind, IMPORT_LINE_BYTES_MAX, IMPORT_ROWS_MAX,
};
use creditdesk_core::ValidationErrors;

mod common;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const HEADER: &str = "document,documentType,email,creditLimit,tolerance,description\r\n";

/// What a good file reads as: each record's line and its fields as `name=value` (sorted), and
/// the columns ignored.
type Records = (
    &'static [(u32, &'static [&'static str])],
    &'static [&'static str],
);

/// (kind, file) → what it reads as, or the file's refusal.
const FILES: &[(ImportKind, &str, Result<Records, &str>)] = &[
    (
        ImportKind::Accounts,
        "",
        Err("is empty: it needs a header line"),
    ),
    (
        ImportKind::Accounts,
        "document,documentType,email\n",
        Err("lacks the column creditLimit"),
    ),
    (
        ImportKind::Invoices,
        "accountId\n",
        Err("lacks the columns id, status"),
    ),
    (
        ImportKind::Accounts,
        "document,document,documentType,email,creditLimit\n",
        Err("names the column document twice"),
    ),
    (
        ImportKind::Accounts,
        "document,documentType,email,creditLimit\n1,CPF,a@b.co,1,extra\n",
        Err("line 2 has 5 cells"),
    ),
    (
        ImportKind::Accounts,
        "document,documentType,email,creditLimit\n1,CPF,\"a@b.co\n",
        Err("a quote (\") opened and never closed"),
    ),
    (
        ImportKind::Accounts,
        "document,documentType,email,creditLimit\n1,CPF,a@b.co,1\n\"2,CPF,c@d.co,1\n",
        Err("never closed"),
    ),
    (ImportKind::Accounts, HEADER, Ok((&[], &[]))),
    // A spreadsheet's trailing empty header cells are no columns (not named twice, not listed).
    (
        ImportKind::Accounts,
        "document,documentType,email,creditLimit,,\n",
        Ok((&[], &[])),
    ),
    // A byte order mark, CRLF, an empty line, a quoted cell with a comma, quotes and a line
    // break, a short line, a column not read, empty cells (absent).
    (
        ImportKind::Accounts,
        "\u{feff}document,documentType,email,creditLimit,notes,description\r\n\
         1,CPF,a@b.co,10.50,ignored,\"Shop, \"\"north\"\"\r\nside\"\r\n\
         \r\n\
         2,CNPJ,c@d.co,0\r\n\
         3,CPF,,5,,\r\n",
        Ok((
            &[
                (
                    2,
                    &[
                        "creditLimit=10.50",
                        "description=Shop, \"north\"\r\nside",
                        "document=1",
                        "documentType=CPF",
                        "email=a@b.co",
                    ],
                ),
                (
                    5,
                    &[
                        "creditLimit=0",
                        "document=2",
                        "documentType=CNPJ",
                        "email=c@d.co",
                    ],
                ),
                (6, &["creditLimit=5", "document=3", "documentType=CPF"]),
            ],
            &["notes"],
        )),
    ),
    // The export's spreadsheet guard read back; header names trimmed.
    (
        ImportKind::Invoices,
        " accountId , id ,status,observation\n1_CPF,x-01,Paid,'=cmd\n",
        Ok((
            &[(
                2,
                &[
                    "accountId=1_CPF",
                    "id=x-01",
                    "observation==cmd",
                    "status=Paid",
                ],
            )],
            &[],
        )),
    ),
];

fn fields_of(file: &creditdesk_core::import::ImportFile) -> Vec<(u32, Vec<String>)> {
    file.records
        .iter()
        .map(|r| {
            let mut fields: Vec<String> = r
                .fields
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
                .collect();
            fields.sort();
            (r.line, fields)
        })
        .collect()
}

/// `bytes` fed to a reader of `kind` in pieces of `piece` bytes.
fn read_in_pieces(
    kind: ImportKind,
    bytes: &[u8],
    piece: usize,
) -> Result<ImportFile, ValidationErrors> {
    let mut reader = FileReader::new(kind);
    let mut records = Vec::new();
    for chunk in bytes.chunks(piece) {
        reader.feed(chunk, &mut records)?;
    }
    let summary = reader.finish(&mut records)?;
    assert_eq!(summary.rows_total as usize, records.len());
    Ok(ImportFile {
        records,
        ignored_columns: summary.ignored_columns,
    })
}

fn first_message(errors: &ValidationErrors) -> String {
    let error = errors.iter().next().unwrap();
    assert_eq!(error.field, "file");
    error.message.clone()
}

/// (bytes of an accounts file) → the start of its refusal: bytes a `&str` cannot hold.
const BYTE_FILES: &[(&[u8], &str)] = &[
    (
        b"document,documentType,email,creditLimit\n1,CPF,a@b.co,1\n2,CPF,\xff@b.co,1\n",
        "line 3 is not UTF-8",
    ),
    // "é" cut in two by a comma: each cell is checked on its own, not the line's bytes joined.
    (
        b"document,documentType,email,creditLimit\n1,CPF,a@b.co\xc3,\xa91\n",
        "line 2 is not UTF-8",
    ),
    (
        b"\xef\xbb\xbfdocument,documentType,email\xfe,creditLimit\n",
        "line 1 is not UTF-8",
    ),
];

case_test! {
    fn files_read_as_their_records_or_are_refused_whole() {
        for (kind, text, want) in FILES {
            match (read_file(*kind, text), want) {
                (Ok(file), Ok((records, ignored))) => {
                    let want: Vec<(u32, Vec<String>)> = records
                        .iter()
                        .map(|(line, fields)| (*line, fields.iter().map(|f| f.to_string()).collect()))
                        .collect();
                    assert_eq!(fields_of(&file), want, "{text:?}");
                    assert_eq!(file.rows_total() as usize, records.len());
                    assert_eq!(file.ignored_columns, *ignored, "{text:?}");
                }
                (Err(errors), Err(message)) => {
                    let error = errors.iter().next().unwrap();
                    assert_eq!(error.field, "file");
                    assert!(error.message.contains(message), "{text:?}: {}", error.message);
                }
                (got, _) => panic!("{text:?}: {got:?}"),
            }
        }
    }

    fn a_file_has_at_most_the_rows_allowed() {
        let rows = "1,CPF,a@b.co,1\n".repeat(IMPORT_ROWS_MAX as usize);
        let text = format!("document,documentType,email,creditLimit\n{rows}");
        assert_eq!(read_file(ImportKind::Accounts, &text).unwrap().records.len(), IMPORT_ROWS_MAX as usize);
        let errors = read_file(ImportKind::Accounts, &format!("{text}2,CPF,a@b.co,1\n")).unwrap_err();
        assert!(errors.iter().next().unwrap().message.contains("more than 200000 rows"));
        let wide = |n: usize| {
            let extra = (4..n).map(|i| format!(",c{i}")).collect::<String>();
            format!("document,documentType,email,creditLimit{extra}\n")
        };
        assert_eq!(read_file(ImportKind::Accounts, &wide(64)).unwrap().ignored_columns.len(), 60);
        let errors = read_file(ImportKind::Accounts, &wide(65)).unwrap_err();
        assert!(errors.iter().next().unwrap().message.contains("65 columns"));
    }

    fn a_file_reads_alike_in_pieces_of_any_size() {
        for (kind, text, _) in FILES {
            let whole = read_file(*kind, text).map_err(|e| first_message(&e));
            for piece in [1, 2, 3, 5, 8, 64] {
                let cut = read_in_pieces(*kind, text.as_bytes(), piece).map_err(|e| first_message(&e));
                assert_eq!(cut, whole, "{text:?} in pieces of {piece}");
            }
        }
    }

    fn bytes_that_are_not_utf8_are_refused_naming_their_line() {
        for (bytes, want) in BYTE_FILES {
            for piece in [1, 4, bytes.len()] {
                let errors = read_in_pieces(ImportKind::Accounts, bytes, piece).unwrap_err();
                assert!(first_message(&errors).starts_with(want), "{bytes:?}: {errors}");
            }
        }
    }

    fn a_line_longer_than_the_limit_is_refused_as_it_arrives() {
        let mut reader = FileReader::new(ImportKind::Accounts);
        let mut records = Vec::new();
        reader.feed(b"document,documentType,email,creditLimit\n1,CPF,a@b.co,1\n2,CPF,\"", &mut records).unwrap();
        assert_eq!(records.len(), 1);
        // The quote never closes: the rest of a 50 MB file would be one cell. The reader
        // refuses once the line passes the limit, long before the file ends.
        let piece = [b'x'; 4_096];
        let mut fed = 0;
        let refused = loop {
            match reader.feed(&piece, &mut records) {
                Ok(()) => fed += piece.len(),
                Err(errors) => break first_message(&errors),
            }
            assert!(fed <= 2 * IMPORT_LINE_BYTES_MAX as usize, "still reading after {fed} bytes");
        };
        assert!(fed >= IMPORT_LINE_BYTES_MAX as usize - piece.len(), "refused after {fed} bytes");
        assert!(refused.starts_with("line 3 is longer than 262144 bytes"), "{refused}");
        // The limit counts a line's cells (1, CPF, a@b.co, 1: 11 bytes, then the description).
        let line = |description_bytes: usize| {
            let description = "d".repeat(description_bytes);
            format!("document,documentType,email,creditLimit,description\n1,CPF,a@b.co,1,{description}\n")
        };
        let at_most = IMPORT_LINE_BYTES_MAX as usize - 11;
        assert!(read_in_pieces(ImportKind::Accounts, line(at_most).as_bytes(), 4_096).is_ok());
        let errors = read_in_pieces(ImportKind::Accounts, line(at_most + 1).as_bytes(), 4_096).unwrap_err();
        assert!(first_message(&errors).starts_with("line 2 is longer than"));
    }

    fn a_last_line_without_a_line_break_is_read_whatever_its_length() {
        // Its end comes only with the end of the file, where the reader grows its buffers.
        for (cells, description) in [(5, 10), (5, 5_000), (60, 40_000)] {
            let header = (5..cells).fold("document,documentType,email,creditLimit,description".to_owned(), |h, n| format!("{h},c{n}"));
            let padding = ",".repeat(cells - 5);
            let text = format!("{header}\n1,CPF,a@b.co,1,{}{padding}", "d".repeat(description));
            for piece in [1_000, text.len()] {
                let file = read_in_pieces(ImportKind::Accounts, text.as_bytes(), piece);
                let file = file.unwrap_or_else(|e| panic!("{cells} cells: {e}"));
                assert_eq!(file.records.len(), 1);
                assert_eq!(file.records[0].fields["description"].as_str().unwrap().len(), description);
            }
        }
    }

    fn a_line_of_too_many_cells_is_refused_without_counting_them_all() {
        let commas = ",".repeat(5_000);
        for (text, want) in [
            (format!("document,documentType,email,creditLimit\n1{commas}\n"), "line 2 has more than 1024 cells; the header has 4 columns"),
            (format!("document,documentType,email,creditLimit{commas}\n"), "has more than 1024 columns; at most 64 are read"),
        ] {
            let errors = read_in_pieces(ImportKind::Accounts, text.as_bytes(), 512).unwrap_err();
            assert_eq!(first_message(&errors), want);
        }
    }
}

/// Any file cut anywhere reads as it does whole.
#[cfg(not(target_arch = "wasm32"))]
mod cut_anywhere {
    use super::*;
    use proptest::prelude::*;

    /// A cell: plain, or quoted with commas, quotes, line breaks and characters of 2–4 bytes.
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9@.]{0,6}",
            "[a-zé€😀,\"\r\n ]{0,8}".prop_map(|t| format!("\"{}\"", t.replace('"', "\"\""))),
        ]
    }

    fn file() -> impl Strategy<Value = String> {
        let line = proptest::collection::vec(cell(), 0..6).prop_map(|cells| cells.join(","));
        (
            proptest::collection::vec(line, 0..12),
            prop_oneof!["\n", "\r\n"],
            any::<bool>(),
        )
            .prop_map(|(lines, end, bom)| {
                let body: String = lines.iter().map(|l| format!("{l}{end}")).collect();
                let bom = if bom { "\u{feff}" } else { "" };
                format!("{bom}document,documentType,email,creditLimit,description{end}{body}")
            })
    }

    proptest! {
        #[test]
        fn a_file_reads_alike_cut_at_any_places(text in file(), cuts in proptest::collection::vec(0usize..400, 0..6)) {
            let whole = read_file(ImportKind::Accounts, &text).map_err(|e| first_message(&e));
            let bytes = text.as_bytes();
            let mut at: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            at.push(bytes.len());
            at.sort_unstable();
            let mut reader = FileReader::new(ImportKind::Accounts);
            let mut records = Vec::new();
            let mut start = 0;
            let mut fed = Ok(());
            for end in at {
                fed = fed.and_then(|()| reader.feed(&bytes[start..end], &mut records));
                start = end;
            }
            let cut = fed.and_then(|()| reader.finish(&mut records))
                .map(|summary| ImportFile { records, ignored_columns: summary.ignored_columns })
                .map_err(|e| first_message(&e));
            prop_assert_eq!(cut, whole);
        }
    }
}
