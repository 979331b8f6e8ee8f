//! Query strings: parameters, Cloud `q`/`sort` filtering (a small BBQL subset) and pagination
//! in both products' styles.

use axum::http::Uri;
use serde_json::{json, Value};

use crate::config::PagelenAboveMax;

/// Decoded query parameters, in order.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// Parses the query of a URI.
    pub fn from_uri(uri: &Uri) -> Params {
        let query = uri.query().unwrap_or("");
        Params(
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// The first value of a parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeatable parameter, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A parameter parsed as a number.
    pub fn number(&self, name: &str) -> Result<Option<usize>, String> {
        match self.get(name) {
            None | Some("") => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| format!("Invalid {name}: {v}")),
        }
    }

    /// A flag such as `type=true`.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// The query string with `name` set to `value`.
    pub fn with(&self, name: &str, value: &str) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        let mut replaced = false;
        for (k, v) in &self.0 {
            if k == name {
                if !replaced {
                    out.append_pair(k, value);
                    replaced = true;
                }
            } else {
                out.append_pair(k, v);
            }
        }
        if !replaced {
            out.append_pair(name, value);
        }
        out.finish()
    }
}

/// One `field op "value"` clause of a Cloud `q` filter.
#[derive(Debug, Clone, PartialEq)]
struct Clause {
    field: String,
    op: &'static str,
    value: String,
}

/// A parsed Cloud `q` filter: clauses joined by `AND`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter(Vec<Clause>);

const OPS: [&str; 8] = ["!=", ">=", "<=", "!~", "=", "~", ">", "<"];

impl Filter {
    /// Parses `q`, e.g. `repository.name="x" AND permission>"read"`.
    pub fn parse(q: &str) -> Result<Filter, String> {
        let mut clauses = Vec::new();
        let mut rest = q.trim();
        while !rest.is_empty() {
            let (clause, tail) = parse_clause(rest).ok_or_else(|| format!("Invalid query: {q}"))?;
            clauses.push(clause);
            rest = tail.trim_start();
            if rest.is_empty() {
                break;
            }
            let lower = rest.to_ascii_lowercase();
            if !lower.starts_with("and ") {
                return Err(format!("Invalid query: {q}"));
            }
            rest = rest[4..].trim_start();
        }
        Ok(Filter(clauses))
    }

    /// Whether `field` values (looked up by `get`) satisfy every clause.
    pub fn matches(&self, get: impl Fn(&str) -> Option<String>) -> Result<bool, String> {
        for c in &self.0 {
            let actual = get(&c.field).ok_or_else(|| format!("Invalid field: {}", c.field))?;
            let ord = compare(&actual, &c.value);
            let contains = actual.to_lowercase().contains(&c.value.to_lowercase());
            let ok = match c.op {
                "=" => actual == c.value,
                "!=" => actual != c.value,
                "~" => contains,
                "!~" => !contains,
                ">" => ord.is_gt(),
                ">=" => ord.is_ge(),
                "<" => ord.is_lt(),
                _ => ord.is_le(),
            };
            if !ok {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn parse_clause(text: &str) -> Option<(Clause, &str)> {
    let field_end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))?;
    let field = &text[..field_end];
    let rest = text[field_end..].trim_start();
    let op = OPS.into_iter().find(|op| rest.starts_with(op))?;
    let rest = rest[op.len()..].trim_start();
    let (value, tail) = if let Some(quoted) = rest.strip_prefix('"') {
        quoted_string(quoted)?
    } else {
        let end = rest.find(' ').unwrap_or(rest.len());
        if end == 0 {
            return None;
        }
        (rest[..end].to_string(), &rest[end..])
    };
    (!field.is_empty()).then(|| {
        (
            Clause {
                field: field.to_string(),
                op,
                value,
            },
            tail,
        )
    })
}

/// Reads a BBQL string literal after its opening quote: `\"` and `\\` are an escaped quote and
/// backslash, as clients send them. Returns the value and the text after the closing quote.
fn quoted_string(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => value.push(chars.next()?.1),
            '"' => return Some((value, &text[i + 1..])),
            c => value.push(c),
        }
    }
    None
}

/// Orders permission names by strength, numbers numerically, everything else as text.
fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    let rank = |s: &str| match s {
        "none" => Some(0),
        "read" => Some(1),
        "write" => Some(2),
        "admin" => Some(3),
        _ => None,
    };
    if let (Some(x), Some(y)) = (rank(a), rank(b)) {
        return x.cmp(&y);
    }
    if let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) {
        return x.total_cmp(&y);
    }
    a.cmp(b)
}

/// Applies a Cloud `sort` parameter (`field` or `-field`) to values by a field getter.
pub fn sort_by_field<T>(
    items: &mut [T],
    sort: Option<&str>,
    get: impl Fn(&T, &str) -> Option<String>,
) {
    let Some(sort) = sort.filter(|s| !s.is_empty()) else {
        return;
    };
    let (field, desc) = match sort.strip_prefix('-') {
        Some(f) => (f, true),
        None => (sort, false),
    };
    items.sort_by(|a, b| {
        let o = natural(
            &get(a, field).unwrap_or_default(),
            &get(b, field).unwrap_or_default(),
        );
        if desc {
            o.reverse()
        } else {
            o
        }
    });
}

/// Natural ordering: digit runs compare as numbers (`v2` < `v10`).
fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    let split = |s: &str| -> Vec<(bool, String)> {
        let mut parts: Vec<(bool, String)> = Vec::new();
        for c in s.chars() {
            let digit = c.is_ascii_digit();
            match parts.last_mut() {
                Some((d, part)) if *d == digit => part.push(c),
                _ => parts.push((digit, c.to_string())),
            }
        }
        parts
    };
    let (pa, pb) = (split(a), split(b));
    for (x, y) in pa.iter().zip(&pb) {
        let o = if x.0 && y.0 {
            let (nx, ny) = (x.1.trim_start_matches('0'), y.1.trim_start_matches('0'));
            nx.len().cmp(&ny.len()).then_with(|| nx.cmp(ny))
        } else {
            x.1.cmp(&y.1)
        };
        if o.is_ne() {
            return o;
        }
    }
    pa.len().cmp(&pb.len())
}

/// Cloud's largest documented `pagelen`.
pub const CLOUD_MAX_PAGELEN: usize = 100;

/// The `pagelen` of most Cloud lists when the request gives none.
pub const CLOUD_DEFAULT_PAGELEN: usize = 10;

/// Builds a Cloud page (`pagelen`, `page`, `size`, `values`, `next`, `previous`);
/// `next` is absolute, built from `base` (origin + path) and the request's query.
/// `pagelen` defaults to `default_pagelen`; one above [`CLOUD_MAX_PAGELEN`] is refused or capped as
/// `above_max` says.
pub fn cloud_page(
    values: Vec<Value>,
    params: &Params,
    base: &str,
    (default_pagelen, above_max): (usize, PagelenAboveMax),
) -> Result<Value, String> {
    let pagelen = match params.number("pagelen")? {
        None => default_pagelen,
        Some(asked) if asked > CLOUD_MAX_PAGELEN => match above_max {
            PagelenAboveMax::Refuse => {
                return Err(format!(
                    "Invalid pagelen: {asked} is more than the maximum of {CLOUD_MAX_PAGELEN}"
                ))
            }
            PagelenAboveMax::Cap => CLOUD_MAX_PAGELEN,
        },
        Some(asked) => asked.max(1),
    };
    let page = params.number("page")?.unwrap_or(1);
    if page == 0 {
        return Err("Invalid page".to_string());
    }
    let size = values.len();
    let start = (page - 1).saturating_mul(pagelen);
    let slice: Vec<Value> = values.into_iter().skip(start).take(pagelen).collect();
    let mut out = json!({ "pagelen": pagelen, "size": size, "page": page, "values": slice });
    if start.saturating_add(pagelen) < size {
        out["next"] = json!(format!(
            "{base}?{}",
            params.with("page", &page.saturating_add(1).to_string())
        ));
    }
    if page > 1 {
        out["previous"] = json!(format!(
            "{base}?{}",
            params.with("page", &(page - 1).to_string())
        ));
    }
    Ok(out)
}

/// Start and limit of a Data Center page (defaults 0 and `default_limit`, limit at most 1000).
pub fn dc_window(params: &Params, default_limit: usize) -> Result<(usize, usize), String> {
    let start = params.number("start")?.unwrap_or(0);
    let limit = params
        .number("limit")?
        .unwrap_or(default_limit)
        .clamp(1, 1000);
    Ok((start, limit))
}

/// Builds a Data Center page under `key` (`values`, or `lines` for file content).
pub fn dc_page(
    items: Vec<Value>,
    params: &Params,
    default_limit: usize,
    key: &str,
) -> Result<Value, String> {
    let (start, limit) = dc_window(params, default_limit)?;
    let total = items.len();
    let slice: Vec<Value> = items.into_iter().skip(start).take(limit).collect();
    let last = start.saturating_add(slice.len()) >= total;
    let mut out =
        json!({ "size": slice.len(), "limit": limit, "isLastPage": last, "start": start });
    out[key] = Value::Array(slice);
    if !last {
        out["nextPageStart"] = json!(start.saturating_add(limit));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL_PAGES: (usize, PagelenAboveMax) = (CLOUD_DEFAULT_PAGELEN, PagelenAboveMax::Refuse);

    #[test]
    fn cloud_page_lengths_above_the_maximum_are_refused_or_capped() {
        let values = || (0..150).map(|i| json!(i)).collect::<Vec<_>>();
        let params = Params(vec![("pagelen".into(), "101".into())]);
        let refused = cloud_page(values(), &params, "http://h/x", SMALL_PAGES).unwrap_err();
        assert!(refused.contains("101"), "{refused}");
        let cap = (CLOUD_DEFAULT_PAGELEN, PagelenAboveMax::Cap);
        let capped = cloud_page(values(), &params, "http://h/x", cap).unwrap();
        assert_eq!(capped["pagelen"], 100);
        assert_eq!(capped["values"].as_array().unwrap().len(), 100);
        let default = cloud_page(
            values(),
            &Params::default(),
            "http://h/x",
            (500, PagelenAboveMax::Refuse),
        )
        .unwrap();
        assert_eq!(
            default["pagelen"], 500,
            "a larger default of the endpoint stays"
        );
    }

    #[test]
    fn quoted_values_read_escaped_quotes_and_backslashes() {
        let f =
            Filter::parse(r#"repository.full_name="acme/a \"quoted\" \\ name" AND x="y""#).unwrap();
        assert_eq!(f.0[0].value, r#"acme/a "quoted" \ name"#);
        assert_eq!(f.0[1].value, "y");
        assert!(Filter::parse(r#"name="unterminated \""#).is_err());
    }

    #[test]
    fn filters_parse_and_match() {
        let f = Filter::parse(r#"repository.name="x" AND permission>"read""#).unwrap();
        let get = |perm: &'static str| {
            move |field: &str| match field {
                "repository.name" => Some("x".to_string()),
                "permission" => Some(perm.to_string()),
                _ => None,
            }
        };
        assert!(f.matches(get("write")).unwrap());
        assert!(!f.matches(get("read")).unwrap());
        assert!(Filter::parse("name =").is_err());
        assert!(Filter::parse(r#"name ~ "fea""#)
            .unwrap()
            .matches(|_| Some("feature".into()))
            .unwrap());
    }

    #[test]
    fn huge_page_numbers_and_starts_give_empty_last_pages() {
        let values = || (0..5).map(|i| json!(i)).collect::<Vec<_>>();
        let max = usize::MAX.to_string();
        let params = Params(vec![
            ("page".into(), max.clone()),
            ("pagelen".into(), "100".into()),
        ]);
        let page = cloud_page(values(), &params, "http://h/x", SMALL_PAGES).unwrap();
        assert_eq!(page["values"], json!([]));
        assert!(page.get("next").is_none());
        let params = Params(vec![("start".into(), max)]);
        let dc = dc_page(values(), &params, 25, "values").unwrap();
        assert_eq!(dc["isLastPage"], true);
        assert!(Params(vec![("page".into(), "1".repeat(40))])
            .number("page")
            .is_err());
    }

    #[test]
    fn natural_sort_orders_numbers() {
        let mut v = vec!["v10", "v2", "main"];
        sort_by_field(&mut v, Some("name"), |s, _| Some(s.to_string()));
        assert_eq!(v, ["main", "v2", "v10"]);
    }

    #[test]
    fn pages_link_to_the_next_one() {
        let params = Params(vec![("pagelen".into(), "2".into())]);
        let page = cloud_page(
            (0..5).map(|i| json!(i)).collect(),
            &params,
            "http://h/x",
            SMALL_PAGES,
        )
        .unwrap();
        assert_eq!(page["next"], "http://h/x?pagelen=2&page=2");
        let dc = dc_page(
            (0..5).map(|i| json!(i)).collect(),
            &Params::default(),
            2,
            "values",
        )
        .unwrap();
        assert_eq!(dc["nextPageStart"], 2);
    }
}
