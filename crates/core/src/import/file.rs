//! An import's file read as it arrives: bytes are fed in pieces of any size (a request body's
//! frames, a stored part), and each complete row comes out as soon as its line ends, so a file
//! is never held whole — only the line being read, at most [`IMPORT_LINE_BYTES_MAX`] bytes.
//! Quoting is RFC 4180's, parsed by `csv-core` (the `csv` crate's own parser, made to be fed).
//! Every check refuses the whole file (the field `file`) and names the line at fault.

use csv_core::{ReadRecordResult, Reader};
use serde_json::{Map, Value};

use super::{ImportKind, IMPORT_COLUMNS_MAX, IMPORT_ROWS_MAX};
use crate::validation::ValidationErrors;

/// Longest line an import reads (one row, its quoted line breaks included), in bytes of its
/// cells. A quote opened and never closed makes the rest of the file one line: this is where
/// reading it stops.
pub const IMPORT_LINE_BYTES_MAX: u32 = 262_144;
/// Most cells one line may have before it is refused without counting further (well above
/// [`IMPORT_COLUMNS_MAX`], so a line a few cells too long is told its count).
const LINE_CELLS_MAX: usize = 1_024;
/// Most parser steps after the input ended: the last line's (each buffer grown once) and the
/// end, with room to spare.
const FINISH_STEPS_MAX: usize = 8;

/// One line of a file after its header: its line number in the file (the header is line 1)
/// and its cells as the fields its kind reads (empty cells left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub line: u32,
    pub fields: Map<String, Value>,
}

/// A file read whole: the records, and the header's columns this kind does not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFile {
    pub records: Vec<ImportRecord>,
    pub ignored_columns: Vec<String>,
}

impl ImportFile {
    /// How many rows the file has (at most [`IMPORT_ROWS_MAX`]).
    pub fn rows_total(&self) -> u32 {
        u32::try_from(self.records.len()).expect("a reader keeps at most IMPORT_ROWS_MAX rows")
    }
}

/// What a file read to its end holds besides its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    pub rows_total: u32,
    /// The header's columns the file's kind does not read.
    pub ignored_columns: Vec<String>,
}

/// Reads `text` as a file of `kind` (a [`FileReader`] fed it at once).
pub fn read_file(kind: ImportKind, text: &str) -> Result<ImportFile, ValidationErrors> {
    let mut reader = FileReader::new(kind);
    let mut records = Vec::new();
    reader.feed(text.as_bytes(), &mut records)?;
    let summary = reader.finish(&mut records)?;
    Ok(ImportFile {
        records,
        ignored_columns: summary.ignored_columns,
    })
}

/// The header: each column's name (trimmed) and the column of the kind it is (`None`: not
/// read).
#[derive(Debug)]
struct Header {
    names: Vec<String>,
    read: Vec<Option<&'static str>>,
}

/// A file of one kind, fed in pieces. Refused (the field `file`) when it is not UTF-8 CSV, has
/// no header, lacks a required column, names one twice, has a line with more cells than the
/// header or longer than [`IMPORT_LINE_BYTES_MAX`], or more rows than [`IMPORT_ROWS_MAX`].
/// Empty lines (and lines of empty cells) are skipped; a byte order mark is dropped; a line
/// with fewer cells than the header leaves the rest empty. The same bytes read alike however
/// they are cut into pieces.
#[derive(Debug)]
pub struct FileReader {
    kind: ImportKind,
    csv: Reader,
    header: Option<Header>,
    /// The line being read: its cells' bytes one after another, and where each cell ends.
    cells: Vec<u8>,
    cells_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    /// Line breaks read so far; the line the row being read starts on (`None`: between rows).
    newlines: u32,
    line: Option<u32>,
    /// Whether an odd number of quotes was read so far.
    quotes_odd: bool,
    rows: u32,
}

fn refuse(message: String) -> ValidationErrors {
    ValidationErrors::single("file", message)
}

fn count(bytes: &[u8], byte: u8) -> usize {
    bytes.iter().filter(|&&b| b == byte).count()
}

impl FileReader {
    pub fn new(kind: ImportKind) -> FileReader {
        FileReader {
            kind,
            csv: Reader::new(),
            header: None,
            cells: vec![0; 1_024],
            cells_len: 0,
            ends: vec![0; 16],
            ends_len: 0,
            newlines: 0,
            line: None,
            quotes_odd: false,
            rows: 0,
        }
    }

    /// Reads the next piece of the file; each row it completes is pushed to `rows`.
    pub fn feed(
        &mut self,
        mut input: &[u8],
        rows: &mut Vec<ImportRecord>,
    ) -> Result<(), ValidationErrors> {
        loop {
            if input.is_empty() {
                return Ok(());
            }
            let (_, read) = self.step(input, rows)?;
            input = &input[read..];
        }
    }

    /// Ends the file (its last line may have no line break): its summary, once every check
    /// passed.
    pub fn finish(mut self, rows: &mut Vec<ImportRecord>) -> Result<FileSummary, ValidationErrors> {
        // An unclosed quote reads as running to the end of the file, which would silently
        // merge every row after it into one cell.
        if self.quotes_odd {
            return Err(refuse(
                "is not CSV: a quote (\") opened and never closed; quote a cell as \"text\" and \
                 write a quote inside one as \"\""
                    .to_owned(),
            ));
        }
        // With no input left the parser ends the last line (if it has no line break), growing
        // its buffers a few times at most, then says `End`.
        let mut ended = false;
        for _ in 0..FINISH_STEPS_MAX {
            if self.step(&[], rows)?.0 == ReadRecordResult::End {
                ended = true;
                break;
            }
        }
        assert!(
            ended,
            "the parser ends a file in at most FINISH_STEPS_MAX steps"
        );
        let Some(header) = self.header else {
            return Err(refuse(format!(
                "is empty: it needs a header line naming the columns ({})",
                self.kind.columns().join(", ")
            )));
        };
        let ignored_columns = header
            .names
            .iter()
            .zip(&header.read)
            .filter(|(name, read)| read.is_none() && !name.is_empty())
            .map(|(name, _)| name.clone())
            .collect();
        Ok(FileSummary {
            rows_total: self.rows,
            ignored_columns,
        })
    }

    /// One call of the parser on `input` (empty: the file ended): what it found, and how many
    /// bytes it read.
    fn step(
        &mut self,
        input: &[u8],
        rows: &mut Vec<ImportRecord>,
    ) -> Result<(ReadRecordResult, usize), ValidationErrors> {
        if self.line.is_none() {
            if let Some(at) = input.iter().position(|b| !matches!(b, b'\r' | b'\n')) {
                let before = u32::try_from(count(&input[..at], b'\n')).unwrap_or(u32::MAX);
                self.line = Some(self.newlines.saturating_add(before).saturating_add(1));
            }
        }
        let (result, read, written, ended) = self.csv.read_record(
            input,
            &mut self.cells[self.cells_len..],
            &mut self.ends[self.ends_len..],
        );
        let consumed = &input[..read];
        let newlines = u32::try_from(count(consumed, b'\n')).unwrap_or(u32::MAX);
        self.newlines = self.newlines.saturating_add(newlines);
        self.quotes_odd ^= count(consumed, b'"') % 2 == 1;
        self.cells_len += written;
        self.ends_len += ended;
        match result {
            ReadRecordResult::InputEmpty | ReadRecordResult::End => {}
            ReadRecordResult::OutputFull => {
                let before = self.cells.len();
                self.grow_cells()?;
                assert!(
                    self.cells.len() > before,
                    "a full buffer grows or the line is refused"
                );
            }
            ReadRecordResult::OutputEndsFull => {
                let before = self.ends.len();
                self.grow_ends()?;
                assert!(
                    self.ends.len() > before,
                    "a full buffer grows or the line is refused"
                );
            }
            ReadRecordResult::Record => self.end_line(rows)?,
        }
        Ok((result, read))
    }

    fn line_number(&self) -> u32 {
        self.line.unwrap_or(self.newlines.saturating_add(1))
    }

    /// Room for a line longer than the first buffer: at once all a line may take, and one
    /// byte more, so that a line of exactly [`IMPORT_LINE_BYTES_MAX`] bytes ends before the
    /// parser asks for more. Asked again, the line is too long.
    fn grow_cells(&mut self) -> Result<(), ValidationErrors> {
        let room = IMPORT_LINE_BYTES_MAX as usize + 1;
        if self.cells.len() == room {
            return Err(self.too_long());
        }
        self.cells.resize(room, 0);
        Ok(())
    }

    fn too_long(&self) -> ValidationErrors {
        refuse(format!(
            "line {} is longer than {IMPORT_LINE_BYTES_MAX} bytes: is a quote (\") opened and \
             never closed?",
            self.line_number()
        ))
    }

    /// Room for the cells of a line with more than the first buffer's: at once all a line may
    /// have. Asked again, the line has too many.
    fn grow_ends(&mut self) -> Result<(), ValidationErrors> {
        if self.ends.len() == LINE_CELLS_MAX {
            let columns = self.header.as_ref().map(|h| h.names.len());
            let cells = format!("more than {LINE_CELLS_MAX}");
            return Err(too_many_cells(self.line_number(), cells, columns));
        }
        self.ends.resize(LINE_CELLS_MAX, 0);
        Ok(())
    }

    /// A line was read whole: it becomes the header or a row.
    fn end_line(&mut self, rows: &mut Vec<ImportRecord>) -> Result<(), ValidationErrors> {
        if self.cells_len > IMPORT_LINE_BYTES_MAX as usize {
            return Err(self.too_long());
        }
        let line = self.line_number();
        let cells = self.line_cells(line)?;
        self.cells_len = 0;
        self.ends_len = 0;
        self.line = None;
        match self.header.take() {
            None => self.header = Some(read_header(self.kind, &cells)?),
            Some(header) => {
                let record = self.row(&header, line, &cells);
                self.header = Some(header);
                rows.extend(record?);
            }
        }
        Ok(())
    }

    /// The line's cells as text (each checked to be UTF-8 on its own).
    fn line_cells(&self, line: u32) -> Result<Vec<String>, ValidationErrors> {
        let mut start = 0;
        let mut cells = Vec::with_capacity(self.ends_len);
        for &end in &self.ends[..self.ends_len] {
            let cell = std::str::from_utf8(&self.cells[start..end]).map_err(|_| {
                refuse(format!(
                    "line {line} is not UTF-8 text: save the file as \"CSV UTF-8\""
                ))
            })?;
            cells.push(cell.to_owned());
            start = end;
        }
        Ok(cells)
    }

    /// A line after the header as a row (`None`: every cell is empty).
    fn row(
        &mut self,
        header: &Header,
        line: u32,
        cells: &[String],
    ) -> Result<Option<ImportRecord>, ValidationErrors> {
        if cells.iter().all(String::is_empty) {
            return Ok(None);
        }
        if cells.len() > header.names.len() {
            let columns = Some(header.names.len());
            return Err(too_many_cells(line, cells.len().to_string(), columns));
        }
        if self.rows == IMPORT_ROWS_MAX {
            return Err(refuse(format!(
                "has more than {IMPORT_ROWS_MAX} rows: split it into several imports"
            )));
        }
        self.rows += 1;
        let fields = cells
            .iter()
            .zip(&header.read)
            .filter_map(|(cell, column)| Some((column.as_ref()?, cell)))
            .filter(|(_, cell)| !cell.is_empty())
            .map(|(column, cell)| {
                let cell = crate::export::read_text_cell(cell);
                ((*column).to_owned(), Value::String(cell.to_owned()))
            })
            .collect();
        Ok(Some(ImportRecord { line, fields }))
    }
}

/// Line `line` has `cells` cells, more than the header's `columns` (`None`: it is the header).
fn too_many_cells(line: u32, cells: String, columns: Option<usize>) -> ValidationErrors {
    match columns {
        Some(columns) => refuse(format!(
            "line {line} has {cells} cells; the header has {columns} columns"
        )),
        None => refuse(format!(
            "has {cells} columns; at most {IMPORT_COLUMNS_MAX} are read"
        )),
    }
}

/// The header line read: at most [`IMPORT_COLUMNS_MAX`] columns, none named twice, each
/// required one there.
fn read_header(kind: ImportKind, cells: &[String]) -> Result<Header, ValidationErrors> {
    let names: Vec<String> = cells
        .iter()
        .enumerate()
        .map(|(at, cell)| {
            let cell = if at == 0 {
                cell.trim_start_matches('\u{feff}')
            } else {
                cell
            };
            cell.trim().to_owned()
        })
        .collect();
    if names.len() > IMPORT_COLUMNS_MAX as usize {
        return Err(refuse(format!(
            "has {} columns; at most {IMPORT_COLUMNS_MAX} are read",
            names.len()
        )));
    }
    for (at, name) in names.iter().enumerate() {
        if !name.is_empty() && names[..at].contains(name) {
            return Err(refuse(format!("names the column {name} twice")));
        }
    }
    let missing: Vec<&str> = kind.columns()[..kind.required()]
        .iter()
        .copied()
        .filter(|column| !names.iter().any(|n| n == column))
        .collect();
    if !missing.is_empty() {
        return Err(refuse(format!(
            "lacks the column{} {} (its header line has: {})",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            names.join(", ")
        )));
    }
    let read = names
        .iter()
        .map(|n| kind.columns().iter().copied().find(|c| c == n))
        .collect();
    Ok(Header { names, read })
}
