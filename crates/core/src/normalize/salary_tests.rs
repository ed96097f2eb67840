//! Table tests for salaries in the shapes boards send.

use super::salary::salary;
use crate::posting::RawSalary;
use crate::{Salary, SalaryPeriod};

fn fields(min: f64, max: f64, currency: &str, period: &str) -> RawSalary {
    RawSalary {
        min: Some(min),
        max: Some(max),
        currency: Some(currency.to_owned()),
        period: Some(period.to_owned()),
        text: None,
    }
}

fn text(text: &str, country: Option<&str>) -> Option<Salary> {
    let raw = RawSalary {
        text: Some(text.to_owned()),
        ..RawSalary::default()
    };
    salary(Some(&raw), "", country)
}

#[test]
fn structured_fields_give_currency_period_and_yearly_figures() {
    let pay = salary(Some(&fields(60000.0, 75000.0, "EUR", "year")), "", None).unwrap();
    assert_eq!(
        (pay.min, pay.max, pay.currency.as_str(), pay.period),
        (Some(60000.0), Some(75000.0), "EUR", SalaryPeriod::Year)
    );
    assert_eq!((pay.annual_min, pay.annual_max), (Some(60000.0), Some(75000.0)));

    let hourly = salary(Some(&fields(15.0, 20.0, "£", "hourly")), "", None).unwrap();
    assert_eq!(
        (hourly.currency.as_str(), hourly.period, hourly.annual_min),
        ("GBP", SalaryPeriod::Hour, Some(31200.0))
    );
    let daily = salary(Some(&fields(500.0, 600.0, "GBP", "per_day")), "", None).unwrap();
    assert_eq!(daily.annual_max, Some(156000.0));
    let monthly = salary(Some(&fields(2400.0, 2600.0, "€", "MONTH")), "", None).unwrap();
    assert_eq!(monthly.annual_min, Some(28800.0));
}

#[test]
fn swapped_and_zero_figures_are_put_right() {
    let pay = salary(Some(&fields(75000.0, 60000.0, "EUR", "year")), "", None).unwrap();
    assert_eq!((pay.min, pay.max), (Some(60000.0), Some(75000.0)));
    assert_eq!(salary(Some(&fields(0.0, 0.0, "USD", "year")), "", None), None);
    let only_max = salary(Some(&fields(0.0, 90000.0, "USD", "year")), "", None).unwrap();
    assert_eq!((only_max.min, only_max.max), (None, Some(90000.0)));
}

#[test]
fn salary_text_is_parsed_in_the_shapes_boards_write() {
    let pay = text("£30,000 - £35,000 per annum", None).unwrap();
    assert_eq!(
        (pay.min, pay.max, pay.currency.as_str(), pay.period),
        (Some(30000.0), Some(35000.0), "GBP", SalaryPeriod::Year)
    );
    let pay = text("60.000 – 75.000 € brutto/Jahr", None).unwrap();
    assert_eq!(
        (pay.min, pay.max, pay.currency.as_str(), pay.period),
        (Some(60000.0), Some(75000.0), "EUR", SalaryPeriod::Year)
    );
    let pay = text("CHF 100'000 p.a.", None).unwrap();
    assert_eq!((pay.min, pay.currency.as_str()), (Some(100000.0), "CHF"));
    let pay = text("€45k-€55k", None).unwrap();
    assert_eq!(
        (pay.min, pay.max, pay.period),
        (Some(45000.0), Some(55000.0), SalaryPeriod::Year)
    );
    let pay = text("10 000 - 15 000 zł / month", None).unwrap();
    assert_eq!(
        (pay.currency.as_str(), pay.period, pay.annual_max),
        ("PLN", SalaryPeriod::Month, Some(180000.0))
    );
    let pay = text("35 000 - 40 000 kr per month", Some("SE")).unwrap();
    assert_eq!(pay.currency, "SEK");
    assert_eq!(
        text("35 000 - 40 000 kr per month", Some("DK")).unwrap().currency,
        "DKK"
    );
    assert_eq!(text("Up to $120,000 a year", None).unwrap().max, Some(120000.0));
    assert_eq!(text("12,50 € pro Stunde", None).unwrap().min, Some(12.5));
}

#[test]
fn unknown_stays_unknown() {
    assert_eq!(salary(Some(&fields(25.0, 27.0, "USD", "year")), "", None), None);
    assert_eq!(text("Competitive salary", None), None);
    assert_eq!(text("35 000 - 40 000 kr", Some("DE")), None);
    // An hourly or a daily rate? Without a period we do not guess.
    assert_eq!(
        salary(
            Some(&RawSalary {
                min: Some(80.0),
                max: Some(100.0),
                ..RawSalary::default()
            }),
            "",
            Some("GB")
        ),
        None
    );
    assert_eq!(
        salary(None, "We grew revenue to €40,000,000 last year.", Some("DE")),
        None
    );
}

#[test]
fn boards_without_currency_or_period_are_read_from_country_and_size() {
    let reed = RawSalary {
        min: Some(25000.0),
        max: Some(32500.0),
        ..RawSalary::default()
    };
    let pay = salary(Some(&reed), "", Some("GB")).unwrap();
    assert_eq!((pay.currency.as_str(), pay.period), ("GBP", SalaryPeriod::Year));
    assert_eq!(salary(Some(&reed), "", None), None);
}

#[test]
fn an_explicit_salary_line_in_the_description_is_read() {
    let pay = salary(None, "About us\nSalary: £28,000 per annum\nBenefits", None).unwrap();
    assert_eq!((pay.min, pay.currency.as_str()), (Some(28000.0), "GBP"));
}
