//! One step of a test case, its five texts held in one allocation: a project of 100,000 test cases holds
//! over a million steps, and five strings apiece would make the steps most of its memory.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A text of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepField {
    /// The action (`Navigate`, `Click`, `Type`, `Verify`, ...).
    Keyword,
    /// The element (object) name from an element repository, or empty.
    Element,
    /// The input value, or empty.
    Input,
    /// The expected result, or empty.
    Expected,
    /// A comment, or empty.
    Comment,
}

impl StepField {
    /// Every field, in the order a step holds (and its file lists) them.
    pub const ALL: [StepField; 5] = [
        StepField::Keyword,
        StepField::Element,
        StepField::Input,
        StepField::Expected,
        StepField::Comment,
    ];

    /// The field's key in a test case's file.
    pub fn key(self) -> &'static str {
        match self {
            StepField::Keyword => "keyword",
            StepField::Element => "element",
            StepField::Input => "input",
            StepField::Expected => "expected",
            StepField::Comment => "comment",
        }
    }
}

/// One step of a test case: a keyword applied to an element with an input, an expected result and a
/// comment. Read and written in a file as an object of those five strings.
///
/// ```
/// use versioning_core::artifacts::{Step, StepField};
/// let step = Step::new("Click", "AddToCart", "", "", "");
/// assert_eq!((step.keyword(), step.element(), step.comment()), ("Click", "AddToCart", ""));
/// let typed = step.with(StepField::Input, "2");
/// assert_eq!(typed.get(StepField::Input), "2");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Step {
    /// The five texts one after the other.
    text: Box<str>,
    /// Where each of the first four texts ends in `text` (the last ends with it).
    ends: [u32; 4],
}

impl Step {
    /// The step of these texts.
    pub fn new(keyword: &str, element: &str, input: &str, expected: &str, comment: &str) -> Self {
        Step::of([keyword, element, input, expected, comment])
    }

    fn of(texts: [&str; 5]) -> Self {
        let mut text = String::with_capacity(texts.iter().map(|t| t.len()).sum());
        let mut ends = [0; 4];
        for (index, part) in texts.iter().enumerate() {
            text.push_str(part);
            if let Some(end) = ends.get_mut(index) {
                // A step's texts are far below 4 GiB: a file is refused long before.
                *end = u32::try_from(text.len()).unwrap_or(u32::MAX);
            }
        }
        Step {
            text: text.into_boxed_str(),
            ends,
        }
    }

    /// The text of `field`.
    pub fn get(&self, field: StepField) -> &str {
        let index = field as usize;
        let start = match index {
            0 => 0,
            _ => self.ends[index - 1] as usize,
        };
        let end = self
            .ends
            .get(index)
            .map_or(self.text.len(), |&e| e as usize);
        self.text.get(start..end).unwrap_or_default()
    }

    /// The step with `field` set to `value`.
    pub fn with(&self, field: StepField, value: &str) -> Step {
        let mut texts = StepField::ALL.map(|f| self.get(f));
        texts[field as usize] = value;
        Step::of(texts)
    }

    /// The action (`Navigate`, `Click`, `Type`, `Verify`, ...).
    pub fn keyword(&self) -> &str {
        self.get(StepField::Keyword)
    }

    /// The element (object) name from an element repository, or empty.
    pub fn element(&self) -> &str {
        self.get(StepField::Element)
    }

    /// The input value, or empty.
    pub fn input(&self) -> &str {
        self.get(StepField::Input)
    }

    /// The expected result, or empty.
    pub fn expected(&self) -> &str {
        self.get(StepField::Expected)
    }

    /// A comment, or empty.
    pub fn comment(&self) -> &str {
        self.get(StepField::Comment)
    }

    fn fields(&self) -> StepFields<'_> {
        StepFields {
            keyword: Cow::Borrowed(self.keyword()),
            element: Cow::Borrowed(self.element()),
            input: Cow::Borrowed(self.input()),
            expected: Cow::Borrowed(self.expected()),
            comment: Cow::Borrowed(self.comment()),
        }
    }
}

/// A step as its file holds it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFields<'a> {
    #[serde(borrow)]
    keyword: Cow<'a, str>,
    #[serde(borrow)]
    element: Cow<'a, str>,
    #[serde(borrow)]
    input: Cow<'a, str>,
    #[serde(borrow)]
    expected: Cow<'a, str>,
    #[serde(borrow)]
    comment: Cow<'a, str>,
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Step");
        for field in StepField::ALL {
            out.field(field.key(), &self.get(field));
        }
        out.finish()
    }
}

impl Serialize for Step {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.fields().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let f = StepFields::deserialize(deserializer)?;
        Ok(Step::new(
            &f.keyword,
            &f.element,
            &f.input,
            &f.expected,
            &f.comment,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_field_reads_back_as_set_and_the_file_is_five_strings() {
        let step = Step::new("Type", "", "größe 42", "", "note");
        assert_eq!(
            StepField::ALL.map(|f| step.get(f)),
            ["Type", "", "größe 42", "", "note"]
        );
        for field in StepField::ALL {
            let changed = step.with(field, "x");
            assert_eq!(changed.get(field), "x");
            let others = StepField::ALL.into_iter().filter(|f| *f != field);
            assert!(others.into_iter().all(|f| changed.get(f) == step.get(f)));
        }
        let json = serde_json::to_string(&step).unwrap();
        assert_eq!(
            json,
            r#"{"keyword":"Type","element":"","input":"größe 42","expected":"","comment":"note"}"#
        );
        assert_eq!(serde_json::from_str::<Step>(&json).unwrap(), step);
        let escaped = r#"{"keyword":"a\"b","element":"","input":"","expected":"","comment":""}"#;
        assert_eq!(
            serde_json::from_str::<Step>(escaped).unwrap().keyword(),
            "a\"b"
        );
        assert_eq!(Step::default(), Step::new("", "", "", "", ""));
        let unknown = r#"{"keyword":"","element":"","input":"","expected":"","comment":"","x":""}"#;
        assert!(serde_json::from_str::<Step>(unknown).is_err());
        let missing = r#"{"keyword":"","element":"","input":"","expected":""}"#;
        assert!(serde_json::from_str::<Step>(missing).is_err());
    }
}
