//! The CSV form of a data table's columns and rows (RFC 4180 with LF line ends).
//!
//! The first record holds the column names, each further record one row. A field is quoted when it is
//! empty-and-alone in its record, or holds a comma, a quote, a line break, or leading or trailing
//! whitespace; quotes inside are doubled. An empty line is a record with no fields. Every record ends with
//! `\n`. With these rules every table of strings round-trips exactly.

/// Why a data table's CSV file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct CsvError {
    /// The 1-based line where the problem is.
    pub line: usize,
    /// What is wrong and how to fix it.
    pub problem: &'static str,
}

/// The CSV bytes of a table: the column names as the first record, then the rows.
pub(crate) fn encode(columns: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut text = String::new();
    for record in std::iter::once(columns).chain(rows.iter().map(Vec::as_slice)) {
        for (index, field) in record.iter().enumerate() {
            if index > 0 {
                text.push(',');
            }
            write_field(&mut text, field, record.len() == 1);
        }
        text.push('\n');
    }
    text.into_bytes()
}

fn write_field(text: &mut String, field: &str, alone: bool) {
    let needs_quotes = (alone && field.is_empty())
        || field.contains([',', '"', '\n', '\r'])
        || field.starts_with(char::is_whitespace)
        || field.ends_with(char::is_whitespace);
    if needs_quotes {
        text.push('"');
        text.push_str(&field.replace('"', "\"\""));
        text.push('"');
    } else {
        text.push_str(field);
    }
}

/// Parses CSV bytes into the column names (first record) and the rows.
pub(crate) fn decode(bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>), CsvError> {
    let text = std::str::from_utf8(bytes).map_err(|error| CsvError {
        line: 1 + bytes[..error.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count(),
        problem: "the file is not UTF-8; save it as UTF-8",
    })?;
    let mut parser = Parser {
        chars: text.chars().peekable(),
        line: 1,
    };
    let mut records = Vec::new();
    while parser.chars.peek().is_some() {
        records.push(parser.record()?);
    }
    let mut records = records.into_iter();
    let columns = records.next().ok_or(CsvError {
        line: 1,
        problem: "the file is empty; its first line must hold the column names",
    })?;
    Ok((columns, records.collect()))
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
}

impl Parser<'_> {
    fn error(&self, problem: &'static str) -> CsvError {
        CsvError {
            line: self.line,
            problem,
        }
    }

    /// One record, including its final `\n`.
    fn record(&mut self) -> Result<Vec<String>, CsvError> {
        let mut fields = Vec::new();
        if self.chars.next_if_eq(&'\n').is_some() {
            self.line += 1;
            return Ok(fields);
        }
        loop {
            fields.push(self.field()?);
            match self.chars.next() {
                Some(',') => {}
                Some('\n') => {
                    self.line += 1;
                    return Ok(fields);
                }
                Some(_) => {
                    return Err(self
                        .error("text follows a closing quote; double quotes inside quoted fields"))
                }
                None => {
                    return Err(self.error("the last line does not end with a line break; add one"))
                }
            }
        }
    }

    /// One field, stopping before the `,` or `\n` that ends it.
    fn field(&mut self) -> Result<String, CsvError> {
        let mut field = String::new();
        if self.chars.next_if_eq(&'"').is_some() {
            let opened = self.line;
            loop {
                match self.chars.next() {
                    None => {
                        return Err(CsvError {
                            line: opened,
                            problem: "a quoted field is never closed; add the closing quote",
                        })
                    }
                    Some('"') if self.chars.next_if_eq(&'"').is_none() => return Ok(field),
                    Some(c) => {
                        self.line += usize::from(c == '\n');
                        field.push(c);
                    }
                }
            }
        }
        while let Some(c) = self.chars.next_if(|c| *c != ',' && *c != '\n') {
            match c {
                '"' => {
                    return Err(self.error(
                        "a quote inside an unquoted field; quote the field and double the quote",
                    ))
                }
                '\r' => {
                    return Err(self.error(
                        "a carriage return outside quotes; save the file with LF line ends",
                    ))
                }
                _ => field.push(c),
            }
        }
        Ok(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn tricky_cells_round_trip() {
        let columns = strings(&["name", "", " padded ", "a,b"]);
        let rows = vec![
            strings(&["say \"hi\"", "line\nbreak", "", "\r\n"]),
            strings(&[""]),
            vec![],
            strings(&["", ""]),
            strings(&["tab\t", "\u{e9}t\u{e9}", "x", "y"]),
        ];
        let bytes = encode(&columns, &rows);
        assert_eq!(decode(&bytes), Ok((columns, rows)));
    }

    #[test]
    fn format_is_readable() {
        let bytes = encode(&strings(&["a", "b"]), &[strings(&["1", "two, three"])]);
        assert_eq!(String::from_utf8(bytes).unwrap(), "a,b\n1,\"two, three\"\n");
    }

    #[test]
    fn reports_lines() {
        assert_eq!(decode(b"").unwrap_err().line, 1);
        assert_eq!(decode(b"a\nb").unwrap_err().line, 2);
        assert_eq!(decode(b"a\n\"b\nc").unwrap_err().line, 2);
        assert_eq!(decode(b"a\nb\"c\n").unwrap_err().line, 2);
        assert_eq!(decode(b"a\n\"b\"c\n").unwrap_err().line, 2);
        assert_eq!(decode(b"a\r\n").unwrap_err().line, 1);
        assert_eq!(decode(b"a\n\xff\n").unwrap_err().line, 2);
    }
}
