//! A check of several projects: one table, and one JSON object with a row
//! per answers file and the counts.

use serde::Serialize;

use super::CheckReport;
use crate::error::Error;
use crate::printer::Printer;

/// One row of a check of several projects: an answers file's report, or
/// why the project could not be checked.
pub(super) struct Row {
    pub project: String,
    pub result: Result<CheckReport, Error>,
}

/// The counts under the table, and in the JSON: projects, not rows (a
/// project with two answers files counts once).
#[derive(Debug, Default, Serialize)]
pub(super) struct Summary {
    projects: usize,
    update_available: usize,
    drifted: usize,
    up_to_date: usize,
    pub failed: usize,
}

impl Summary {
    pub fn of(rows: &[Row]) -> Summary {
        let mut summary = Summary::default();
        let mut i = 0;
        while i < rows.len() {
            let project = &rows[i].project;
            let end = rows[i..]
                .iter()
                .position(|r| &r.project != project)
                .map_or(rows.len(), |n| i + n);
            let mine = &rows[i..end];
            summary.projects += 1;
            if mine.iter().any(|r| r.result.is_err()) {
                summary.failed += 1;
            } else {
                let reports = mine.iter().filter_map(|r| r.result.as_ref().ok());
                let (mut update, mut drifted) = (false, false);
                for r in reports {
                    update |= r.update_available == Some(true);
                    drifted |= r.drift.as_ref().is_some_and(|d| !d.is_empty());
                }
                summary.update_available += usize::from(update);
                summary.drifted += usize::from(drifted);
                summary.up_to_date += usize::from(!update && !drifted);
            }
            i = end;
        }
        summary
    }

    /// `3 projects: 1 update available, 1 drifted, 1 up to date`.
    fn line(&self) -> String {
        let noun = if self.projects == 1 {
            "project"
        } else {
            "projects"
        };
        let mut parts = Vec::new();
        for (n, what) in [
            (self.update_available, "update available"),
            (self.drifted, "drifted"),
            (self.up_to_date, "up to date"),
            (self.failed, "failed"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        format!("{} {noun}: {}", self.projects, parts.join(", "))
    }
}

/// The table of a check of several projects, on stderr.
pub(super) fn print_table(printer: &Printer, rows: &[Row], summary: &Summary) {
    let header = [
        "PROJECT", "TEMPLATE", "RECORDED", "LATEST", "DRIFT", "STATUS",
    ];
    let mut lines: Vec<[String; 6]> = vec![header.map(String::from)];
    for row in rows {
        lines.push(match &row.result {
            Ok(r) => {
                let project = if r.answers_file == ".graft-answers.yml"
                    || r.answers_file == ".copier-answers.yml"
                {
                    row.project.clone()
                } else {
                    format!("{} ({})", row.project, r.answers_file)
                };
                let dash = || "-".to_string();
                let drifted = r.drift.as_ref().is_some_and(|d| !d.is_empty());
                let mut status = Vec::new();
                if r.update_available == Some(true) {
                    status.push("update available");
                }
                if drifted {
                    status.push("drifted");
                }
                if status.is_empty() {
                    status.push("up to date");
                }
                [
                    project,
                    r.src.clone(),
                    r.current_version.clone().unwrap_or_else(dash),
                    match r.update_available {
                        Some(_) => r.latest_version.clone().unwrap_or_else(dash),
                        None => dash(),
                    },
                    r.drift.as_ref().map_or_else(dash, |d| d.len().to_string()),
                    status.join(", "),
                ]
            }
            Err(e) => [
                row.project.clone(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                format!("error: {e}"),
            ],
        });
    }
    let mut widths = [0usize; 6];
    for line in &lines {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for line in &lines {
        let mut text = String::new();
        for (i, (cell, w)) in line.iter().zip(widths).enumerate() {
            if i + 1 == line.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<w$}  "));
            }
        }
        printer.info(text.trim_end());
    }
    printer.info(&summary.line());
}

/// The JSON of a check of several projects: every row, then the counts.
pub(super) fn print_fleet_json(rows: &[Row], summary: &Summary) -> Result<(), Error> {
    #[derive(Serialize)]
    struct Fleet<'a> {
        projects: Vec<serde_json::Value>,
        summary: &'a Summary,
    }
    let projects = rows
        .iter()
        .map(|row| {
            let mut object = serde_json::Map::new();
            object.insert("project".into(), row.project.clone().into());
            let rest = match &row.result {
                // Text, flags and lists of text: `to_value` cannot fail.
                Ok(report) => serde_json::to_value(report).unwrap_or_default(),
                Err(e) => serde_json::json!({ "error": e.to_json() }),
            };
            if let serde_json::Value::Object(rest) = rest {
                object.extend(rest);
            }
            serde_json::Value::Object(object)
        })
        .collect();
    let fleet = Fleet { projects, summary };
    crate::report::print(&fleet)
}
