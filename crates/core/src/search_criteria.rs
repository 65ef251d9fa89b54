//! Search criteria as the company-credit API reads them (that commerce platform's REST
//! convention), read into data and evaluated in memory — storage translates the same data to
//! SQL, and is tested against [`SearchCriteria::page`].
//!
//! Rules (also in `docs/company-credit-api.md`):
//! - Keys: `searchCriteria[filter_groups][i][filters][j][field|value|condition_type]`,
//!   `searchCriteria[sort_orders][k][field|direction]`, `searchCriteria[page_size]`,
//!   `searchCriteria[current_page]`, each also in camelCase (`filterGroups`, `conditionType`,
//!   `sortOrders`, `pageSize`, `currentPage`). The caller decodes percent-encoding first, so
//!   brackets may come literal or encoded. Keys outside `searchCriteria` are not read here.
//! - Filters in one group are OR-ed, groups AND-ed. Condition types: `eq` (the default), `neq`,
//!   `gt`, `gteq`, `lt`, `lteq`, `like`, `nlike` (`%` any run, `_` one character), `in`, `nin`
//!   (comma-separated values), `null`, `notnull` (the value is not read), `from` (= `gteq`),
//!   `to` (= `lteq`); any case.
//! - A value is read by its field's kind: whole numbers, exact decimals, text (compared ignoring
//!   ASCII case — `É` and `é` differ — and otherwise by code point, as both SQL engines compare
//!   it), booleans (`1`/`0`/`true`/`false`). A comparison
//!   with an absent value (SQL `NULL`) is false, whatever the condition but `null`.
//! - Sorting by each sort order in turn (`ASC` when no direction is given; absent values first
//!   when ascending), then by id. `page_size` 1..=[`PAGE_SIZE_MAX`] (absent or 0: the most);
//!   `current_page` from 1; a page past the last is empty.
//! - An unknown field, condition or key, a value its field cannot hold, an index beyond
//!   [`INDEX_MAX`], a key given twice: a [`CriteriaError`] (the API's 400), never a guess.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

/// Most filter groups, filters in a group, and sort orders (indices are `0..=INDEX_MAX`).
pub const INDEX_MAX: u32 = 19;
/// Most values of an `in` / `nin` filter.
pub const IN_VALUES_MAX: usize = 100;
/// Most characters of a filter's value.
pub const VALUE_CHARS_MAX: usize = 1000;
/// Most values in one search, every filter's counted (an `in` holds several): what keeps the
/// SQL it becomes within both engines' bound on parameters.
pub const VALUES_MAX: usize = 1000;
/// Most items on one page (also the page size when none is given).
pub const PAGE_SIZE_MAX: u32 = 1000;

/// How a filter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Condition {
    Eq,
    Neq,
    Gt,
    Gteq,
    Lt,
    Lteq,
    Like,
    Nlike,
    In,
    Nin,
    Null,
    Notnull,
    From,
    To,
}

impl Condition {
    pub const ALL: [Condition; 14] = [
        Condition::Eq,
        Condition::Neq,
        Condition::Gt,
        Condition::Gteq,
        Condition::Lt,
        Condition::Lteq,
        Condition::Like,
        Condition::Nlike,
        Condition::In,
        Condition::Nin,
        Condition::Null,
        Condition::Notnull,
        Condition::From,
        Condition::To,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Eq => "eq",
            Condition::Neq => "neq",
            Condition::Gt => "gt",
            Condition::Gteq => "gteq",
            Condition::Lt => "lt",
            Condition::Lteq => "lteq",
            Condition::Like => "like",
            Condition::Nlike => "nlike",
            Condition::In => "in",
            Condition::Nin => "nin",
            Condition::Null => "null",
            Condition::Notnull => "notnull",
            Condition::From => "from",
            Condition::To => "to",
        }
    }

    /// Its name in any case.
    pub fn from_name(name: &str) -> Option<Condition> {
        Condition::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(name))
    }
}

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Number,
    Text,
    Boolean,
}

/// A field of the resource searched (every one is filterable and sortable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
}

/// One value of a field in a record, or of a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Integer(i64),
    Number(Decimal),
    Text(String),
    Boolean(bool),
}

impl Value {
    /// The text a `like` pattern is matched against.
    fn text(&self) -> String {
        match self {
            Value::Integer(n) => n.to_string(),
            Value::Number(d) => d.to_string(),
            Value::Text(t) => t.clone(),
            Value::Boolean(b) => if *b { "1" } else { "0" }.to_owned(),
        }
    }

    /// The order of two values of one kind (text ignoring ASCII case); `None` across kinds.
    fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Integer(a), Value::Integer(b)) => Some(a.cmp(b)),
            (Value::Number(a), Value::Number(b)) => Some(a.cmp(b)),
            (Value::Text(a), Value::Text(b)) => {
                Some(a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase()))
            }
            (Value::Boolean(a), Value::Boolean(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// What a filter compares with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    One(Value),
    Many(Vec<Value>),
    /// A `like` pattern.
    Pattern(String),
    /// `null` / `notnull`: nothing.
    Nothing,
}

/// One filter: a field, how, with what (and the value as given, to echo back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub field: Field,
    pub condition: Condition,
    pub operand: Operand,
    pub given: String,
}

/// A sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        }
    }
}

/// One sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortOrder {
    pub field: Field,
    pub direction: Direction,
}

/// A search as read: groups of filters, sort orders, the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchCriteria {
    pub filter_groups: Vec<Vec<Filter>>,
    pub sort_orders: Vec<SortOrder>,
    pub page_size: u32,
    pub current_page: u32,
}

/// A refused search, in that platform's error shape (see [`crate::company::Refusal`]).
pub type CriteriaError = crate::company::Refusal;

/// A record searched: its fields' values (`None`: absent) and its id (the last sort key).
pub trait Record {
    fn cell(&self, field: &str) -> Option<Value>;
    fn id(&self) -> i64;
}

/// The camelCase spellings and the snake_case names they stand for.
const SPELLINGS: [(&str, &str); 5] = [
    ("filterGroups", "filter_groups"),
    ("conditionType", "condition_type"),
    ("sortOrders", "sort_orders"),
    ("pageSize", "page_size"),
    ("currentPage", "current_page"),
];

fn snake(segment: &str) -> &str {
    SPELLINGS
        .iter()
        .find(|(camel, _)| *camel == segment)
        .map_or(segment, |(_, snake)| snake)
}

/// The bracketed segments after `searchCriteria` (`None`: not a search key), snake_case.
fn segments(key: &str) -> Option<Result<Vec<&str>, CriteriaError>> {
    let mut rest = key.strip_prefix("searchCriteria")?;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let parsed = rest
            .strip_prefix('[')
            .and_then(|r| r.split_once(']'))
            .filter(|(segment, _)| !segment.is_empty());
        let Some((segment, after)) = parsed else {
            return Some(Err(CriteriaError::new(
                "The search key \"%1\" is malformed; write it as searchCriteria[filter_groups][0][filters][0][field].",
                &[key],
            )));
        };
        out.push(snake(segment));
        rest = after;
    }
    Some(Ok(out))
}

fn index(text: &str, key: &str) -> Result<u32, CriteriaError> {
    text.parse::<u32>()
        .ok()
        .filter(|n| *n <= INDEX_MAX && (text == "0" || !text.starts_with('0')))
        .ok_or_else(|| {
            CriteriaError::new(
                "The index \"%1\" in \"%2\" must be a whole number from 0 to %3.",
                &[text, key, &INDEX_MAX.to_string()],
            )
        })
}

/// One filter's parts as given.
#[derive(Default)]
struct Parts {
    field: Option<String>,
    value: Option<String>,
    condition: Option<String>,
}

fn field_of(fields: &[Field], name: &str) -> Result<Field, CriteriaError> {
    fields
        .iter()
        .find(|f| f.name == name)
        .copied()
        .ok_or_else(|| {
            let known: Vec<&str> = fields.iter().map(|f| f.name).collect();
            CriteriaError::new(
                "\"%1\" is not a field that can be searched; the fields are %2.",
                &[name, &known.join(", ")],
            )
        })
}

/// `text` read as a value of `field`'s kind.
fn value_of(field: Field, text: &str) -> Result<Value, CriteriaError> {
    let text = text.trim();
    let refused = |what: &'static str| CriteriaError::new(what, &[text, field.name]);
    match field.kind {
        Kind::Integer => text
            .parse()
            .map(Value::Integer)
            .map_err(|_| refused("\"%1\" is not a whole number, which %2 holds.")),
        Kind::Number => Decimal::from_str_exact(text)
            .map(Value::Number)
            .map_err(|_| refused("\"%1\" is not a number, which %2 holds.")),
        Kind::Text => Ok(Value::Text(text.to_owned())),
        Kind::Boolean => match text.to_ascii_lowercase().as_str() {
            "1" | "true" => Ok(Value::Boolean(true)),
            "0" | "false" => Ok(Value::Boolean(false)),
            _ => Err(refused(
                "\"%1\" is not 1, 0, true or false, which %2 holds.",
            )),
        },
    }
}

fn filter_of(fields: &[Field], parts: Parts) -> Result<Filter, CriteriaError> {
    let name = parts.field.ok_or_else(|| {
        CriteriaError::new(
            "A filter has no field; give searchCriteria[filter_groups][i][filters][j][field].",
            &[],
        )
    })?;
    let field = field_of(fields, &name)?;
    let condition = match parts.condition.as_deref().map(str::trim) {
        None | Some("") => Condition::Eq,
        Some(name) => Condition::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = Condition::ALL.iter().map(|c| c.as_str()).collect();
            CriteriaError::new(
                "\"%1\" is not a condition type; the condition types are %2.",
                &[name, &known.join(", ")],
            )
        })?,
    };
    let given = parts.value.unwrap_or_default();
    if given.contains('\0') {
        return Err(CriteriaError::new(
            "The value for %1 holds the character U+0000, which no field holds.",
            &[field.name],
        ));
    }
    if given.chars().count() > VALUE_CHARS_MAX {
        return Err(CriteriaError::new(
            "The value for %1 is longer than %2 characters.",
            &[field.name, &VALUE_CHARS_MAX.to_string()],
        ));
    }
    let operand = match condition {
        Condition::Null | Condition::Notnull => Operand::Nothing,
        Condition::Like | Condition::Nlike => Operand::Pattern(given.clone()),
        Condition::In | Condition::Nin => {
            let values: Vec<&str> = given.split(',').collect();
            if values.len() > IN_VALUES_MAX {
                return Err(CriteriaError::new(
                    "An in or nin filter on %1 has more than %2 values.",
                    &[field.name, &IN_VALUES_MAX.to_string()],
                ));
            }
            Operand::Many(
                values
                    .into_iter()
                    .map(|v| value_of(field, v))
                    .collect::<Result<_, _>>()?,
            )
        }
        _ => Operand::One(value_of(field, &given)?),
    };
    Ok(Filter {
        field,
        condition,
        operand,
        given,
    })
}

fn whole(text: &str, name: &'static str, least: u32) -> Result<u32, CriteriaError> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n >= least)
        .ok_or_else(|| {
            CriteriaError::new(
                "%1 must be a whole number from %2; it is \"%3\".",
                &[name, &least.to_string(), text],
            )
        })
}

impl SearchCriteria {
    /// Reads the search among the query's `pairs` (decoded) against `fields`: see the module's
    /// rules.
    pub fn read(
        pairs: &[(String, String)],
        fields: &[Field],
    ) -> Result<SearchCriteria, CriteriaError> {
        let mut seen: Vec<Vec<String>> = Vec::new();
        let mut groups: BTreeMap<u32, BTreeMap<u32, Parts>> = BTreeMap::new();
        let mut sorts: BTreeMap<u32, (Option<String>, Option<String>)> = BTreeMap::new();
        let mut page_size = None;
        let mut current_page = None;
        for (key, value) in pairs {
            let Some(segments) = segments(key) else {
                continue;
            };
            let segments = segments?;
            let normal: Vec<String> = segments.iter().map(|s| (*s).to_owned()).collect();
            if seen.contains(&normal) {
                return Err(CriteriaError::new(
                    "The search key \"%1\" is given twice.",
                    &[key],
                ));
            }
            seen.push(normal);
            match segments.as_slice() {
                ["filter_groups", g, "filters", f, part] => {
                    let parts = groups
                        .entry(index(g, key)?)
                        .or_default()
                        .entry(index(f, key)?)
                        .or_default();
                    let slot = match *part {
                        "field" => &mut parts.field,
                        "value" => &mut parts.value,
                        "condition_type" => &mut parts.condition,
                        _ => return Err(unknown_key(key)),
                    };
                    *slot = Some(value.clone());
                }
                ["sort_orders", s, part] => {
                    let sort = sorts.entry(index(s, key)?).or_default();
                    let slot = match *part {
                        "field" => &mut sort.0,
                        "direction" => &mut sort.1,
                        _ => return Err(unknown_key(key)),
                    };
                    *slot = Some(value.clone());
                }
                ["page_size"] => page_size = Some(whole(value, "pageSize", 0)?),
                ["current_page"] => current_page = Some(whole(value, "currentPage", 1)?),
                _ => return Err(unknown_key(key)),
            }
        }
        let filter_groups = groups
            .into_values()
            .map(|filters| {
                filters
                    .into_values()
                    .map(|parts| filter_of(fields, parts))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let values: usize = filter_groups.iter().flatten().map(Filter::values).sum();
        if values > VALUES_MAX {
            return Err(CriteriaError::new(
                "The search holds %1 values; at most %2 are read in one search.",
                &[&values.to_string(), &VALUES_MAX.to_string()],
            ));
        }
        let sort_orders = sorts
            .into_values()
            .map(|(field, direction)| {
                let field = field.ok_or_else(|| {
                    CriteriaError::new(
                        "A sort order has no field; give searchCriteria[sort_orders][k][field].",
                        &[],
                    )
                })?;
                let direction = match direction.as_deref().map(str::trim) {
                    None | Some("") => Direction::Asc,
                    Some(d) if d.eq_ignore_ascii_case("asc") => Direction::Asc,
                    Some(d) if d.eq_ignore_ascii_case("desc") => Direction::Desc,
                    Some(d) => {
                        return Err(CriteriaError::new(
                            "\"%1\" is not a sort direction; write ASC or DESC.",
                            &[d],
                        ))
                    }
                };
                Ok(SortOrder {
                    field: field_of(fields, field.trim())?,
                    direction,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SearchCriteria {
            filter_groups,
            sort_orders,
            page_size: match page_size {
                None | Some(0) => PAGE_SIZE_MAX,
                Some(n) => n.min(PAGE_SIZE_MAX),
            },
            current_page: current_page.unwrap_or(1),
        })
    }

    /// Whether `record` passes every group (each by any of its filters).
    pub fn matches(&self, record: &impl Record) -> bool {
        self.filter_groups
            .iter()
            .all(|group| group.iter().any(|f| f.matches(record)))
    }

    /// The order of two records by the sort orders, then by id.
    pub fn order(&self, a: &impl Record, b: &impl Record) -> Ordering {
        self.sort_orders
            .iter()
            .map(|sort| {
                let (x, y) = (a.cell(sort.field.name), b.cell(sort.field.name));
                let order = match (&x, &y) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Less,
                    (Some(_), None) => Ordering::Greater,
                    (Some(x), Some(y)) => x.compare(y).unwrap_or(Ordering::Equal),
                };
                match sort.direction {
                    Direction::Asc => order,
                    Direction::Desc => order.reverse(),
                }
            })
            .find(|o| o.is_ne())
            .unwrap_or_else(|| a.id().cmp(&b.id()))
    }

    /// The records that match, in order, this page of them, and how many match in all.
    pub fn page<R: Record>(&self, records: impl IntoIterator<Item = R>) -> (Vec<R>, u64) {
        let mut found: Vec<R> = records.into_iter().filter(|r| self.matches(r)).collect();
        crate::order::sort_by(&mut found, |a, b| self.order(a, b));
        let total = found.len() as u64;
        let skip = u64::from(self.current_page - 1) * u64::from(self.page_size);
        let page = found
            .into_iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .take(self.page_size as usize)
            .collect();
        (page, total)
    }

    /// Values `field` must be among for a record to match, when one group holds only `eq` and
    /// `in` filters on it (what lets storage read only those records); `None` otherwise.
    pub fn among(&self, field: &str) -> Option<Vec<Value>> {
        self.filter_groups.iter().find_map(|group| {
            let mut values = Vec::new();
            for filter in group {
                match (&filter.operand, filter.condition) {
                    _ if filter.field.name != field => return None,
                    (Operand::One(value), Condition::Eq) => values.push(value.clone()),
                    (Operand::Many(many), Condition::In) => values.extend(many.iter().cloned()),
                    _ => return None,
                }
            }
            Some(values)
        })
    }

    /// The criteria as the results echo them (`search_criteria`).
    pub fn echo(&self) -> Echo {
        Echo {
            filter_groups: self
                .filter_groups
                .iter()
                .map(|group| EchoGroup {
                    filters: group
                        .iter()
                        .map(|f| EchoFilter {
                            field: f.field.name,
                            value: f.given.clone(),
                            condition_type: f.condition.as_str(),
                        })
                        .collect(),
                })
                .collect(),
            sort_orders: self
                .sort_orders
                .iter()
                .map(|s| EchoSort {
                    field: s.field.name,
                    direction: s.direction.as_str(),
                })
                .collect(),
            page_size: self.page_size,
            current_page: self.current_page,
        }
    }
}

fn unknown_key(key: &str) -> CriteriaError {
    CriteriaError::new(
        "\"%1\" is not a search key; the keys are filter_groups, sort_orders, page_size and current_page.",
        &[key],
    )
}

/// `like`: `%` any run of characters, `_` one; ignoring ASCII case. In time proportional to the
/// text's length times the pattern's (never exponential, whatever the `%`s).
fn like(text: &str, pattern: &str) -> bool {
    let text: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let pattern: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    // matched[j]: the pattern's first j characters match the text read so far.
    let mut matched = vec![false; pattern.len() + 1];
    matched[0] = true;
    for j in 1..=pattern.len() {
        matched[j] = matched[j - 1] && pattern[j - 1] == '%';
    }
    for c in text {
        let mut diagonal = matched[0];
        matched[0] = false;
        for j in 1..=pattern.len() {
            let above = matched[j];
            matched[j] = match pattern[j - 1] {
                '%' => matched[j - 1] || above,
                '_' => diagonal,
                p => diagonal && p == c,
            };
            diagonal = above;
        }
    }
    matched[pattern.len()]
}

impl Filter {
    /// How many values it compares with (`null` and `notnull`: none).
    pub fn values(&self) -> usize {
        match &self.operand {
            Operand::Many(values) => values.len(),
            Operand::One(_) | Operand::Pattern(_) => 1,
            Operand::Nothing => 0,
        }
    }

    /// Whether `record` passes this filter.
    pub fn matches(&self, record: &impl Record) -> bool {
        let cell = record.cell(self.field.name);
        let Some(value) = cell else {
            return self.condition == Condition::Null;
        };
        let is = |wanted: &[Ordering]| match &self.operand {
            Operand::One(operand) => value
                .compare(operand)
                .is_some_and(|order| wanted.contains(&order)),
            _ => false,
        };
        let among = || match &self.operand {
            Operand::Many(values) => values
                .iter()
                .any(|v| value.compare(v) == Some(Ordering::Equal)),
            _ => false,
        };
        let pattern = || match &self.operand {
            Operand::Pattern(p) => like(&value.text(), p),
            _ => false,
        };
        match self.condition {
            Condition::Eq => is(&[Ordering::Equal]),
            Condition::Neq => is(&[Ordering::Less, Ordering::Greater]),
            Condition::Gt => is(&[Ordering::Greater]),
            Condition::Gteq | Condition::From => is(&[Ordering::Greater, Ordering::Equal]),
            Condition::Lt => is(&[Ordering::Less]),
            Condition::Lteq | Condition::To => is(&[Ordering::Less, Ordering::Equal]),
            Condition::Like => pattern(),
            Condition::Nlike => !pattern(),
            Condition::In => among(),
            Condition::Nin => !among(),
            Condition::Null => false,
            Condition::Notnull => true,
        }
    }
}

/// `search_criteria` in the results, as that platform writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Echo {
    pub filter_groups: Vec<EchoGroup>,
    pub sort_orders: Vec<EchoSort>,
    pub page_size: u32,
    pub current_page: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EchoGroup {
    pub filters: Vec<EchoFilter>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EchoFilter {
    pub field: &'static str,
    pub value: String,
    pub condition_type: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EchoSort {
    pub field: &'static str,
    pub direction: &'static str,
}
