//! The company-credit API's search criteria (core's `search_criteria`) as tables: what is read
//! (both spellings, defaults, limits, every refusal) and what it selects, in which order, on
//! which page. Native and wasm.

use std::cmp::Ordering;

use creditdesk_core::search_criteria::{
    Condition, Field, Kind, Operand, Record, SearchCriteria, Value, INDEX_MAX, IN_VALUES_MAX,
    PAGE_SIZE_MAX, VALUES_MAX, VALUE_CHARS_MAX,
};
use rust_decimal::Decimal;

mod common;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const FIELDS: &[Field] = &[
    Field {
        name: "id",
        kind: Kind::Integer,
    },
    Field {
        name: "company_id",
        kind: Kind::Integer,
    },
    Field {
        name: "credit_limit",
        kind: Kind::Number,
    },
    Field {
        name: "balance",
        kind: Kind::Number,
    },
    Field {
        name: "currency_code",
        kind: Kind::Text,
    },
    Field {
        name: "exceed_limit",
        kind: Kind::Boolean,
    },
    Field {
        name: "credit_comment",
        kind: Kind::Text,
    },
];

const F: &str = "searchCriteria[filter_groups]";

fn read(query: &str) -> Result<SearchCriteria, creditdesk_core::search_criteria::CriteriaError> {
    SearchCriteria::read(&common::pairs(query), FIELDS)
}

/// The criteria in a line: `[[field condition value, …], …] sort [field DIR, …] size N page N`.
fn describe(c: &SearchCriteria) -> String {
    let groups: Vec<String> = c
        .filter_groups
        .iter()
        .map(|g| {
            let filters: Vec<String> = g
                .iter()
                .map(|f| {
                    let operand = match &f.operand {
                        Operand::Nothing => String::new(),
                        Operand::Pattern(p) => format!(" ~{p}"),
                        Operand::One(v) => format!(" {v:?}"),
                        Operand::Many(vs) => format!(" {vs:?}"),
                    };
                    format!("{} {}{operand}", f.field.name, f.condition.as_str())
                })
                .collect();
            format!("[{}]", filters.join(", "))
        })
        .collect();
    let sorts: Vec<String> = c
        .sort_orders
        .iter()
        .map(|s| format!("{} {}", s.field.name, s.direction.as_str()))
        .collect();
    format!(
        "[{}] sort [{}] size {} page {}",
        groups.join(", "),
        sorts.join(", "),
        c.page_size,
        c.current_page
    )
}

/// (query) → the criteria read, described.
const READS: &[(&str, &str)] = &[
    ("", "[] sort [] size 1000 page 1"),
    // The reference's own example, and keys this reader does not own left alone.
    (
        "searchCriteria[filter_groups][0][filters][0][field]=balance&searchCriteria[filter_groups][0][filters][0][value]=0&searchCriteria[filter_groups][0][filters][0][condition_type]=eq&fields=items[id]&reload=1",
        "[[balance eq Number(0)]] sort [] size 1000 page 1",
    ),
    // camelCase, as the published schema spells it; the condition in any case.
    (
        "searchCriteria[filterGroups][0][filters][0][field]=credit_limit&searchCriteria[filterGroups][0][filters][0][value]=500&searchCriteria[filterGroups][0][filters][0][conditionType]=GT",
        "[[credit_limit gt Number(500)]] sort [] size 1000 page 1",
    ),
    // No condition: eq. Groups and filters in index order, whatever order they come in.
    (
        "searchCriteria[filter_groups][1][filters][0][field]=currency_code&searchCriteria[filter_groups][1][filters][0][value]=USD&searchCriteria[filter_groups][0][filters][1][field]=company_id&searchCriteria[filter_groups][0][filters][1][value]=2&searchCriteria[filter_groups][0][filters][0][field]=company_id&searchCriteria[filter_groups][0][filters][0][value]= 1 ",
        "[[company_id eq Integer(1), company_id eq Integer(2)], [currency_code eq Text(\"USD\")]] sort [] size 1000 page 1",
    ),
    (
        "searchCriteria[filter_groups][0][filters][0][field]=company_id&searchCriteria[filter_groups][0][filters][0][value]=1,2,3&searchCriteria[filter_groups][0][filters][0][condition_type]=in",
        "[[company_id in [Integer(1), Integer(2), Integer(3)]]] sort [] size 1000 page 1",
    ),
    (
        "searchCriteria[filter_groups][0][filters][0][field]=credit_comment&searchCriteria[filter_groups][0][filters][0][value]=%PO%&searchCriteria[filter_groups][0][filters][0][condition_type]=like",
        "[[credit_comment like ~%PO%]] sort [] size 1000 page 1",
    ),
    (
        "searchCriteria[filter_groups][0][filters][0][field]=currency_code&searchCriteria[filter_groups][0][filters][0][condition_type]=null",
        "[[currency_code null]] sort [] size 1000 page 1",
    ),
    (
        "searchCriteria[filter_groups][0][filters][0][field]=exceed_limit&searchCriteria[filter_groups][0][filters][0][value]=TRUE",
        "[[exceed_limit eq Boolean(true)]] sort [] size 1000 page 1",
    ),
    (
        "searchCriteria[filter_groups][0][filters][0][field]=exceed_limit&searchCriteria[filter_groups][0][filters][0][value]=0",
        "[[exceed_limit eq Boolean(false)]] sort [] size 1000 page 1",
    ),
    // Sort orders: a direction in any case, ASC when none; the page.
    (
        "searchCriteria[sortOrders][0][field]=balance&searchCriteria[sortOrders][0][direction]=desc&searchCriteria[sort_orders][1][field]=id&searchCriteria[pageSize]=10&searchCriteria[current_page]=2",
        "[] sort [balance DESC, id ASC] size 10 page 2",
    ),
    (
        "searchCriteria[sort_orders][0][field]=id&searchCriteria[sort_orders][0][direction]=Asc",
        "[] sort [id ASC] size 1000 page 1",
    ),
    ("searchCriteria[page_size]=0", "[] sort [] size 1000 page 1"),
    ("searchCriteria[page_size]=5000", "[] sort [] size 1000 page 1"),
    ("searchCriteria[pageSize]=1000", "[] sort [] size 1000 page 1"),
    ("searchCriteria[pageSize]=999", "[] sort [] size 999 page 1"),
    ("searchCriteria[filter_groups][19][filters][19][field]=id&searchCriteria[filter_groups][19][filters][19][value]=1", "[[id eq Integer(1)]] sort [] size 1000 page 1"),
];

/// (query) → the start of the refusal's message (parameters put in).
const REFUSALS: &[(&str, &str)] = &[
    ("searchCriteria[filter_groups][0][filters][0][field]=nope", "\"nope\" is not a field that can be searched; the fields are id, company_id,"),
    ("searchCriteria[sort_orders][0][field]=nope", "\"nope\" is not a field"),
    ("searchCriteria[filter_groups][0][filters][0][field]=id&searchCriteria[filter_groups][0][filters][0][condition_type]=between", "\"between\" is not a condition type; the condition types are eq, neq,"),
    ("searchCriteria[filter_groups][x][filters][0][field]=id", "The index \"x\" in"),
    ("searchCriteria[filter_groups][0][filters][01][field]=id", "The index \"01\" in"),
    ("searchCriteria[filter_groups][20][filters][0][field]=id", "The index \"20\" in \"searchCriteria[filter_groups][20][filters][0][field]\" must be a whole number from 0 to 19."),
    ("searchCriteria[sort_orders][-1][field]=id", "The index \"-1\""),
    ("searchCriteria[filter_groups", "The search key \"searchCriteria[filter_groups\" is malformed"),
    ("searchCriteria[]=1", "The search key \"searchCriteria[]\" is malformed"),
    ("searchCriteriaX=1", "The search key \"searchCriteriaX\" is malformed"),
    ("searchCriteria[foo]=1", "\"searchCriteria[foo]\" is not a search key"),
    ("searchCriteria=1", "\"searchCriteria\" is not a search key"),
    ("searchCriteria[filter_groups][0][filters][0][name]=id", "\"searchCriteria[filter_groups][0][filters][0][name]\" is not a search key"),
    ("searchCriteria[filter_groups][0][filter][0][field]=id", "\"searchCriteria[filter_groups][0][filter][0][field]\" is not a search key"),
    ("searchCriteria[sort_orders][0][order]=id", "\"searchCriteria[sort_orders][0][order]\" is not a search key"),
    ("searchCriteria[page_size][0]=1", "\"searchCriteria[page_size][0]\" is not a search key"),
    ("searchCriteria[page_size]=1&searchCriteria[page_size]=2", "The search key \"searchCriteria[page_size]\" is given twice."),
    ("searchCriteria[page_size]=1&searchCriteria[pageSize]=2", "The search key \"searchCriteria[pageSize]\" is given twice."),
    ("searchCriteria[filter_groups][0][filters][0][value]=1", "A filter has no field"),
    ("searchCriteria[sort_orders][0][direction]=ASC", "A sort order has no field"),
    ("searchCriteria[sort_orders][0][field]=id&searchCriteria[sort_orders][0][direction]=up", "\"up\" is not a sort direction"),
    ("searchCriteria[filter_groups][0][filters][0][field]=company_id&searchCriteria[filter_groups][0][filters][0][value]=abc", "\"abc\" is not a whole number, which company_id holds."),
    ("searchCriteria[filter_groups][0][filters][0][field]=company_id", "\"\" is not a whole number"),
    ("searchCriteria[filter_groups][0][filters][0][field]=balance&searchCriteria[filter_groups][0][filters][0][value]=1,5", "\"1,5\" is not a number, which balance holds."),
    ("searchCriteria[filter_groups][0][filters][0][field]=balance&searchCriteria[filter_groups][0][filters][0][value]=1,x&searchCriteria[filter_groups][0][filters][0][condition_type]=in", "\"x\" is not a number"),
    ("searchCriteria[filter_groups][0][filters][0][field]=exceed_limit&searchCriteria[filter_groups][0][filters][0][value]=yes", "\"yes\" is not 1, 0, true or false, which exceed_limit holds."),
    ("searchCriteria[page_size]=-1", "pageSize must be a whole number from 0; it is \"-1\"."),
    ("searchCriteria[pageSize]=ten", "pageSize must be a whole number from 0"),
    ("searchCriteria[current_page]=0", "currentPage must be a whole number from 1; it is \"0\"."),
];

#[derive(Debug, Clone)]
struct Row {
    id: i64,
    company: i64,
    limit: &'static str,
    balance: &'static str,
    currency: Option<&'static str>,
    exceed: bool,
    comment: Option<&'static str>,
}

impl Record for Row {
    fn cell(&self, field: &str) -> Option<Value> {
        let number = |t: &str| Value::Number(t.parse::<Decimal>().unwrap());
        match field {
            "id" => Some(Value::Integer(self.id)),
            "company_id" => Some(Value::Integer(self.company)),
            "credit_limit" => Some(number(self.limit)),
            "balance" => Some(number(self.balance)),
            "currency_code" => self.currency.map(|c| Value::Text(c.to_owned())),
            "exceed_limit" => Some(Value::Boolean(self.exceed)),
            "credit_comment" => self.comment.map(|c| Value::Text(c.to_owned())),
            other => panic!("no field {other}"),
        }
    }

    fn id(&self) -> i64 {
        self.id
    }
}

const ROWS: [Row; 4] = [
    Row {
        id: 1,
        company: 1,
        limit: "1000.00",
        balance: "0.00",
        currency: Some("USD"),
        exceed: false,
        comment: Some("First PO"),
    },
    Row {
        id: 2,
        company: 2,
        limit: "500",
        balance: "-100.50",
        currency: Some("usd"),
        exceed: true,
        comment: None,
    },
    Row {
        id: 3,
        company: 3,
        limit: "500.00",
        balance: "-20",
        currency: Some("EUR"),
        exceed: false,
        comment: Some("po_77"),
    },
    Row {
        id: 4,
        company: 10,
        limit: "0",
        balance: "0",
        currency: None,
        exceed: false,
        comment: Some("100% sure"),
    },
];

/// One filter as a query: (field, condition, value).
fn one(field: &str, condition: &str, value: &str) -> String {
    format!("{F}[0][filters][0][field]={field}&{F}[0][filters][0][condition_type]={condition}&{F}[0][filters][0][value]={value}")
}

/// (query) → the ids of the page, in order, and how many match in all.
fn selections() -> Vec<(String, Vec<i64>, u64)> {
    let q = |s: &str| s.to_owned();
    vec![
        (q(""), vec![1, 2, 3, 4], 4),
        (one("balance", "eq", "0"), vec![1, 4], 2),
        (one("balance", "eq", "-100.5"), vec![2], 1),
        (one("balance", "neq", "0"), vec![2, 3], 2),
        (one("credit_limit", "gt", "500"), vec![1], 1),
        (one("credit_limit", "gteq", "500"), vec![1, 2, 3], 3),
        (one("credit_limit", "from", "500"), vec![1, 2, 3], 3),
        (one("credit_limit", "lt", "500"), vec![4], 1),
        (one("credit_limit", "lteq", "500"), vec![2, 3, 4], 3),
        (one("credit_limit", "to", "500"), vec![2, 3, 4], 3),
        // Text ignoring case; an absent value passes no comparison, only `null`.
        (one("currency_code", "eq", "usd"), vec![1, 2], 2),
        (one("currency_code", "neq", "USD"), vec![3], 1),
        (one("currency_code", "gt", "EUR"), vec![1, 2], 2),
        (one("currency_code", "null", ""), vec![4], 1),
        (one("currency_code", "notnull", "ignored"), vec![1, 2, 3], 3),
        (one("credit_comment", "like", "%po%"), vec![1, 3], 2),
        (one("credit_comment", "like", "po_77"), vec![3], 1),
        (one("credit_comment", "like", "po_7"), vec![], 0),
        (one("credit_comment", "like", "100%"), vec![4], 1),
        (one("credit_comment", "nlike", "%po%"), vec![4], 1),
        (one("balance", "like", "-100.5%"), vec![2], 1),
        (one("company_id", "in", "1,3,10"), vec![1, 3, 4], 3),
        (one("company_id", "nin", "1,3"), vec![2, 4], 2),
        (one("currency_code", "in", "eur,usd"), vec![1, 2, 3], 3),
        (one("currency_code", "nin", "eur"), vec![1, 2], 2),
        (one("exceed_limit", "eq", "1"), vec![2], 1),
        (one("exceed_limit", "eq", "false"), vec![1, 3, 4], 3),
        (one("exceed_limit", "like", "1"), vec![2], 1),
        (one("credit_comment", "null", ""), vec![2], 1),
        // OR within a group, AND across groups.
        (
            format!("{F}[0][filters][0][field]=company_id&{F}[0][filters][0][value]=1&{F}[0][filters][1][field]=company_id&{F}[0][filters][1][value]=2"),
            vec![1, 2],
            2,
        ),
        (
            format!("{F}[0][filters][0][field]=credit_limit&{F}[0][filters][0][value]=500&{F}[1][filters][0][field]=balance&{F}[1][filters][0][value]=-50&{F}[1][filters][0][condition_type]=lt"),
            vec![2],
            1,
        ),
        // Sorting: absent first ascending, ties by id; several orders; descending.
        (q("searchCriteria[sortOrders][0][field]=balance"), vec![2, 3, 1, 4], 4),
        (q("searchCriteria[sortOrders][0][field]=balance&searchCriteria[sortOrders][0][direction]=DESC"), vec![1, 4, 3, 2], 4),
        (q("searchCriteria[sortOrders][0][field]=currency_code"), vec![4, 3, 1, 2], 4),
        (q("searchCriteria[sortOrders][0][field]=currency_code&searchCriteria[sortOrders][0][direction]=DESC"), vec![1, 2, 3, 4], 4),
        (q("searchCriteria[sortOrders][0][field]=credit_limit&searchCriteria[sortOrders][0][direction]=DESC&searchCriteria[sortOrders][1][field]=company_id&searchCriteria[sortOrders][1][direction]=DESC"), vec![1, 3, 2, 4], 4),
        (q("searchCriteria[sortOrders][0][field]=exceed_limit&searchCriteria[sortOrders][0][direction]=DESC"), vec![2, 1, 3, 4], 4),
        (q("searchCriteria[sortOrders][0][field]=id&searchCriteria[sortOrders][0][direction]=DESC"), vec![4, 3, 2, 1], 4),
        // Pages: the total is all that match; past the last, none.
        (q("searchCriteria[pageSize]=2&searchCriteria[currentPage]=2"), vec![3, 4], 4),
        (q("searchCriteria[pageSize]=3&searchCriteria[currentPage]=2"), vec![4], 4),
        (q("searchCriteria[pageSize]=2&searchCriteria[currentPage]=3"), vec![], 4),
        (format!("{}&searchCriteria[pageSize]=1", one("balance", "eq", "0")), vec![1], 2),
    ]
}

case_test! {
    fn search_criteria_are_read() {
        for (query, want) in READS {
            match read(query) {
                Ok(criteria) => assert_eq!(describe(&criteria), *want, "{query}"),
                Err(error) => panic!("{query}: {error}"),
            }
        }
    }

    fn bad_search_criteria_are_refused_with_what_is_wrong() {
        for (query, want) in REFUSALS {
            match read(query) {
                Ok(criteria) => panic!("{query}: read as {}", describe(&criteria)),
                Err(error) => {
                    let text = error.to_string();
                    assert!(text.starts_with(want), "{query}: {text}");
                    assert!(!["%1", "%2", "%3"].iter().any(|p| text.contains(p)), "{query}: every %n put in: {text}");
                }
            }
        }
        // The bounds: the longest value and the most `in` values pass, one more does not.
        let long = "a".repeat(VALUE_CHARS_MAX);
        assert!(read(&one("credit_comment", "eq", &long)).is_ok());
        let error = read(&one("credit_comment", "eq", &format!("{long}a"))).unwrap_err();
        assert_eq!(error.to_string(), "The value for credit_comment is longer than 1000 characters.");
        let many = vec!["1"; IN_VALUES_MAX].join(",");
        assert!(read(&one("id", "in", &many)).is_ok());
        let error = read(&one("id", "in", &format!("{many},1"))).unwrap_err();
        assert_eq!(error.to_string(), "An in or nin filter on id has more than 100 values.");
        assert_eq!(error.parameters, ["id", "100"]);
        // No value holds U+0000 (PostgreSQL's text cannot).
        let error = read(&one("credit_comment", "like", "a\0b")).unwrap_err();
        assert_eq!(error.parameters, ["credit_comment"]);
        // Values across the whole search: 10 `in` filters of 100 pass; one value more does not,
        // and `null` counts none.
        let full = (0..10)
            .map(|f| format!("{F}[0][filters][{f}][field]=id&{F}[0][filters][{f}][condition_type]=in&{F}[0][filters][{f}][value]={many}"))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(VALUES_MAX, 1000);
        let nulls = format!("{F}[1][filters][0][field]=id&{F}[1][filters][0][condition_type]=null");
        assert!(read(&format!("{full}&{nulls}")).is_ok());
        let over = format!("{full}&{F}[1][filters][0][field]=id&{F}[1][filters][0][value]=1");
        let error = read(&over).unwrap_err();
        assert_eq!(error.parameters, ["1001", "1000"]);
        assert_eq!(INDEX_MAX, 19);
        assert_eq!(PAGE_SIZE_MAX, 1000);
    }

    fn search_criteria_select_order_and_page() {
        for (query, want, total) in selections() {
            let criteria = read(&query).unwrap_or_else(|e| panic!("{query}: {e}"));
            let (page, count) = criteria.page(ROWS.iter().cloned());
            let ids: Vec<i64> = page.iter().map(|r| r.id).collect();
            assert_eq!((ids, count), (want, total), "{query}");
        }
    }

    fn conditions_and_like_patterns() {
        for condition in Condition::ALL {
            assert_eq!(Condition::from_name(condition.as_str()), Some(condition));
            assert_eq!(Condition::from_name(&condition.as_str().to_uppercase()), Some(condition));
        }
        assert_eq!(Condition::from_name("between"), None);
        let row = |comment: &'static str| Row { comment: Some(comment), ..ROWS[0].clone() };
        // (text, pattern) → whether it matches.
        for (text, pattern, want) in [
            ("abc", "abc", true),
            ("abc", "ABC", true),
            ("abc", "a%", true),
            ("abc", "%c", true),
            ("abc", "%b%", true),
            ("abc", "a_c", true),
            ("abc", "a_", false),
            ("abc", "_bc_", false),
            ("abc", "abcd", false),
            ("abc", "ab", false),
            ("", "%", true),
            ("", "", true),
            ("", "_", false),
            ("a", "", false),
            ("ÉCOLE", "%cole", true),
            // ASCII case only, as both SQL engines fold it.
            ("École", "ÉCOLE", true),
            ("ÉCOLE", "école", false),
            ("a%b", "a%b", true),
            ("aXb", "a%%b", true),
        ] {
            let criteria = read(&one("credit_comment", "like", pattern)).unwrap();
            let (page, _) = criteria.page([row(text)]);
            assert_eq!(!page.is_empty(), want, "{text:?} like {pattern:?}");
        }
        // Many `%`s on a long text: answered at once (no backtracking).
        let text: &'static str = Box::leak("a".repeat(1000).into_boxed_str());
        let pattern = format!("{}b", "%".repeat(500));
        let criteria = read(&one("credit_comment", "like", &pattern)).unwrap();
        assert!(criteria.page([row(text)]).0.is_empty());
    }

    fn the_criteria_are_echoed_as_that_platform_writes_them() {
        let criteria = read(&format!("{}&searchCriteria[sortOrders][0][field]=balance&searchCriteria[sortOrders][0][direction]=desc&searchCriteria[pageSize]=10&searchCriteria[currentPage]=2", one("balance", "EQ", "0"))).unwrap();
        assert_eq!(
            serde_json::to_value(criteria.echo()).unwrap(),
            serde_json::json!({
                "filter_groups": [{"filters": [{"field": "balance", "value": "0", "condition_type": "eq"}]}],
                "sort_orders": [{"field": "balance", "direction": "DESC"}],
                "page_size": 10,
                "current_page": 2
            })
        );
        // Records compare by id last.
        let (a, b) = (&ROWS[0], &ROWS[3]);
        assert_eq!(read("").unwrap().order(a, b), Ordering::Less);
        assert_eq!(read("").unwrap().order(b, a), Ordering::Greater);
    }

    fn among_says_which_values_a_field_must_take_when_one_group_pins_it() {
        let int = |n: i64| Value::Integer(n);
        let g1 = "searchCriteria[filter_groups][1]";
        let cases: Vec<(String, Option<Vec<Value>>)> = vec![
            (String::new(), None),
            (one("id", "eq", "3"), Some(vec![int(3)])),
            (one("id", "in", "3,5"), Some(vec![int(3), int(5)])),
            (one("id", "gt", "3"), None),
            (one("company_id", "eq", "3"), None),
            // Two filters in one group: either value.
            (format!("{}&{F}[0][filters][1][field]=id&{F}[0][filters][1][value]=9", one("id", "eq", "3")), Some(vec![int(3), int(9)])),
            // A group mixing another field pins nothing; a later group may.
            (format!("{}&{F}[0][filters][1][field]=balance&{F}[0][filters][1][value]=0&{g1}[filters][0][field]=id&{g1}[filters][0][value]=4", one("id", "eq", "3")), Some(vec![int(4)])),
        ];
        for (query, want) in cases {
            assert_eq!(read(&query).unwrap().among("id"), want, "{query}");
        }
    }
}
