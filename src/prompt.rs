//! Asking the person, behind one trait so scripted runs and tests share the
//! answer logic with interactive ones.
//!
//! [`TerminalPrompt`] uses dialoguer and is only chosen when stdin and
//! stderr are both terminals; [`NoPrompt`] is used otherwise and never asks.

use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, MultiSelect, Password, Select};

use crate::error::{AnswerError, Error};

/// The prompts graft needs.
pub trait Prompter {
    /// Whether this prompter can ask at all.
    fn interactive(&self) -> bool;
    /// Free text; `check` returns the message to show before asking again.
    fn text(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        secret: bool,
        placeholder: Option<&str>,
        check: &mut dyn FnMut(&str) -> Result<(), String>,
    ) -> Result<String, Error>;
    fn confirm(&mut self, prompt: &str, default: bool) -> Result<bool, Error>;
    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> Result<usize, Error>;
    fn multi_select(
        &mut self,
        prompt: &str,
        items: &[String],
        defaults: &[bool],
    ) -> Result<Vec<usize>, Error>;
    /// Shows why an answer was refused before asking again.
    fn warn(&mut self, message: &str);
}

/// A prompter for runs without a terminal: it never asks.
pub struct NoPrompt;

fn not_interactive() -> Error {
    AnswerError::Prompt("no terminal to ask on".to_string()).into()
}

impl Prompter for NoPrompt {
    fn interactive(&self) -> bool {
        false
    }
    fn text(
        &mut self,
        _: &str,
        _: Option<&str>,
        _: bool,
        _: Option<&str>,
        _: &mut dyn FnMut(&str) -> Result<(), String>,
    ) -> Result<String, Error> {
        Err(not_interactive())
    }
    fn confirm(&mut self, _: &str, _: bool) -> Result<bool, Error> {
        Err(not_interactive())
    }
    fn select(&mut self, _: &str, _: &[String], _: usize) -> Result<usize, Error> {
        Err(not_interactive())
    }
    fn multi_select(&mut self, _: &str, _: &[String], _: &[bool]) -> Result<Vec<usize>, Error> {
        Err(not_interactive())
    }
    fn warn(&mut self, _: &str) {}
}

/// dialoguer prompts on the terminal.
#[derive(Default)]
pub struct TerminalPrompt {
    theme: ColorfulTheme,
}

fn prompt_error(e: dialoguer::Error) -> Error {
    match e {
        dialoguer::Error::IO(io) if io.kind() == std::io::ErrorKind::Interrupted => {
            Error::Interrupted
        }
        other => AnswerError::Prompt(other.to_string()).into(),
    }
}

impl Prompter for TerminalPrompt {
    fn interactive(&self) -> bool {
        true
    }

    fn text(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        secret: bool,
        placeholder: Option<&str>,
        check: &mut dyn FnMut(&str) -> Result<(), String>,
    ) -> Result<String, Error> {
        if secret {
            loop {
                let mut p = Password::with_theme(&self.theme).with_prompt(prompt);
                if default.is_some() {
                    p = p.allow_empty_password(true);
                }
                let typed = p.interact().map_err(prompt_error)?;
                let value = match (typed.is_empty(), default) {
                    (true, Some(d)) => d.to_string(),
                    _ => typed,
                };
                match check(&value) {
                    Ok(()) => return Ok(value),
                    Err(m) => self.warn(&m),
                }
            }
        }
        let prompt = match placeholder {
            Some(p) if default.is_none() => format!("{prompt} ({p})"),
            _ => prompt.to_string(),
        };
        let mut input = Input::<String>::with_theme(&self.theme)
            .with_prompt(prompt)
            .allow_empty(true)
            .validate_with(|s: &String| check(s));
        if let Some(d) = default {
            input = input.default(d.to_string());
        }
        input.interact_text().map_err(prompt_error)
    }

    fn confirm(&mut self, prompt: &str, default: bool) -> Result<bool, Error> {
        Confirm::with_theme(&self.theme)
            .with_prompt(prompt)
            .default(default)
            .interact()
            .map_err(prompt_error)
    }

    fn select(&mut self, prompt: &str, items: &[String], default: usize) -> Result<usize, Error> {
        Select::with_theme(&self.theme)
            .with_prompt(prompt)
            .items(items)
            .default(default)
            .interact()
            .map_err(prompt_error)
    }

    fn multi_select(
        &mut self,
        prompt: &str,
        items: &[String],
        defaults: &[bool],
    ) -> Result<Vec<usize>, Error> {
        MultiSelect::with_theme(&self.theme)
            .with_prompt(prompt)
            .items(items)
            .defaults(defaults)
            .interact()
            .map_err(prompt_error)
    }

    fn warn(&mut self, message: &str) {
        eprintln!("{}", console::style(message).red());
    }
}
