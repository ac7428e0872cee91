//! Answers: from `--data`, `--data-file`, a recorded answers file, user
//! settings, template defaults and prompts, parsed by question type.
//!
//! [`resolve`] walks the questions in declaration order, so a templated
//! default or `when` may use every earlier answer. It returns the render
//! context and, separately, what the answers file records (no secrets, no
//! computed values, no `--data` keys that are not questions).

use crate::dialect::{Dialect, Operation};
use crate::render::Context;
use serde_json::{Map, Value};

use crate::config::{Question, QuestionType, TemplateConfig};
use crate::error::{AnswerError, Error};
use crate::prompt::Prompter;
use crate::render::Engine;
use crate::source::VersionAsked;

pub use crate::config::parse_bool;

/// Everything answers can come from, besides prompts.
#[derive(Debug, Default)]
pub struct AnswerSources {
    /// `--data KEY=VALUE` in command-line order, values still text.
    pub data: Vec<(String, String)>,
    /// `--data-file` contents, typed by YAML/JSON.
    pub data_file: Map<String, Value>,
    /// The answers file of the project (update, recopy).
    pub recorded: Map<String, Value>,
    /// `defaults:` of the user settings.
    pub user_defaults: Map<String, Value>,
    /// `--defaults`: take defaults without prompting.
    pub use_defaults: bool,
    /// `--skip-answered`: do not prompt for recorded answers.
    pub skip_answered: bool,
    /// `--ask GLOB`: questions asked on the terminal whatever answers them.
    pub ask: Vec<globset::GlobMatcher>,
}

impl AnswerSources {
    /// Whether `--ask` names the question `name`.
    fn asks(&self, name: &str) -> bool {
        self.ask.iter().any(|glob| glob.is_match(name))
    }
}

/// Compiles `--ask` patterns (shell-style, matched against question names
/// as Copier matches them).
pub fn ask_patterns(patterns: &[String]) -> Result<Vec<globset::GlobMatcher>, Error> {
    patterns
        .iter()
        .map(|p| {
            globset::GlobBuilder::new(p)
                .literal_separator(false)
                .backslash_escape(true)
                .build()
                .map(|g| g.compile_matcher())
                .map_err(|e| Error::Usage(format!("invalid `--ask {p}`: {e}")))
        })
        .collect()
}

/// The outcome of answering.
#[derive(Debug, Default)]
pub struct Answers {
    /// Every value templates can see: answers, computed values, secrets,
    /// extra `--data` keys, plus the base context.
    pub context: Map<String, Value>,
    /// What the answers file records, in question order.
    pub recorded: Map<String, Value>,
}

/// Parses `KEY=VALUE`.
pub fn split_data(arg: &str) -> Result<(String, String), Error> {
    match arg.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(AnswerError::DataSyntax(arg.to_string()).into()),
    }
}

/// Answers every question of `config`.
pub fn resolve(
    config: &TemplateConfig,
    engine: &Engine,
    base: Map<String, Value>,
    sources: &AnswerSources,
    prompter: &mut dyn Prompter,
) -> Result<Answers, Error> {
    resolve_with(config, engine, base, sources, prompter, &mut |_| Ok(()))
}

/// Brings values of the context that follow the answers up to date.
pub type Refresh<'a> = dyn FnMut(&mut Map<String, Value>) -> Result<(), Error> + 'a;

/// [`resolve`], calling `refresh` with the context before each question,
/// so values that depend on earlier answers (Copier's `_external_data`)
/// can follow them.
pub fn resolve_with(
    config: &TemplateConfig,
    engine: &Engine,
    base: Map<String, Value>,
    sources: &AnswerSources,
    prompter: &mut dyn Prompter,
    refresh: &mut Refresh,
) -> Result<Answers, Error> {
    let mut answers = Answers {
        context: seeded(config, base, sources),
        recorded: Map::new(),
    };
    let interactive = prompter.interactive() && !sources.use_defaults;
    // Copier answers its questions in its `prompt` phase.
    let phase = answers
        .context
        .get_mut("_copier_phase")
        .filter(|_| config.dialect == Dialect::Copier)
        .map(|phase| std::mem::replace(phase, "prompt".into()));

    let r = Resolver {
        config,
        engine,
        sources,
        interactive,
    };
    let mut remembered = Remembered::new(config, sources, &answers.context);
    for q in &config.questions {
        refresh(&mut answers.context)?;
        remembered.show(config, sources, &mut answers);
        let ctx = context(&answers.context)?;
        let where_ = |what: &str| {
            format!(
                "{}:{} ({what} of `{}`)",
                q.origin.file, q.origin.line, q.name
            )
        };
        let typed;
        let q = match &q.type_text {
            Some(text) => {
                typed = with_rendered_type(engine, q, text, &ctx)?;
                &typed
            }
            None => q,
        };
        let default = r.default(q, &ctx, &where_("default"))?;
        let asked = match &q.when {
            Some(w) => engine.condition(&where_("when"), w, &ctx)?,
            None => true,
        };
        let given = r.given(q, &answers.context)?;
        if !asked {
            remembered.hidden.push(q.name.clone());
            not_asked(
                engine,
                config.dialect,
                q,
                given.or(default),
                &mut answers.context,
            );
            continue;
        }

        let value = r.value(q, given, default, &answers.context, prompter)?;
        let value = in_choice_order(engine, config.dialect, q, value, &answers.context);
        if !q.secret {
            answers.recorded.insert(q.name.clone(), value.clone());
        }
        answers.context.insert(q.name.clone(), value);
    }
    if let Some(phase) = phase {
        answers.context.insert("_copier_phase".into(), phase);
    }
    Ok(answers)
}

/// A question its `when` skips is not asked and not recorded; an answer
/// given with `--data` or `--data-file` still beats the computed default,
/// as in Copier. Without either, Copier forgets the recorded answer too.
fn not_asked(
    engine: &Engine,
    dialect: Dialect,
    q: &Question,
    value: Option<Value>,
    context: &mut Map<String, Value>,
) {
    match value {
        Some(v) => {
            let v = in_choice_order(engine, dialect, q, v, context);
            context.insert(q.name.clone(), v);
        }
        None => {
            context.remove(&q.name);
        }
    }
}

/// Copier's `_copier_answers`, the answers its answers file records.
pub const REMEMBERED: &str = "_copier_answers";

/// Copier shows `_copier_answers` to its questions too: what the context
/// starts with of it (`_commit`, `_src_path`), then the answers known so
/// far to questions that are neither secret nor skipped by their `when`.
struct Remembered {
    /// `None` for graft's templates.
    seed: Option<Map<String, Value>>,
    /// `--data-file` with `--data` over it, as Copier merges them.
    init: Map<String, Value>,
    hidden: Vec<String>,
}

impl Remembered {
    fn new(
        config: &TemplateConfig,
        sources: &AnswerSources,
        context: &Map<String, Value>,
    ) -> Remembered {
        let seed = match context.get(REMEMBERED) {
            Some(Value::Object(seed)) if config.dialect == Dialect::Copier => Some(seed.clone()),
            _ => None,
        };
        let mut init = Map::new();
        if seed.is_some() {
            init.extend(sources.data_file.clone());
            for (k, v) in &sources.data {
                init.insert(k.clone(), Value::String(v.clone()));
            }
        }
        Remembered {
            seed,
            init,
            hidden: Vec::new(),
        }
    }

    /// Puts `_copier_answers` as the next question sees it into the
    /// context. Keys come in the order of Copier's merged answers, its
    /// lowest-priority source first (the user's defaults, the answers
    /// file, `--data-file` and `--data`, the answers given); each value
    /// from the highest-priority source.
    fn show(&self, config: &TemplateConfig, sources: &AnswerSources, answers: &mut Answers) {
        let Some(seed) = &self.seed else {
            return;
        };
        let layers = [
            &sources.user_defaults,
            &sources.recorded,
            &self.init,
            &answers.recorded,
        ];
        let kept = |k: &str| {
            !self.hidden.iter().any(|h| h == k)
                && config.questions.iter().any(|q| q.name == k && !q.secret)
        };
        let mut out = seed.clone();
        for layer in layers {
            for k in layer.keys().filter(|k| kept(k)) {
                let value = layers.iter().rev().find_map(|l| l.get(k));
                if let (false, Some(value)) = (out.contains_key(k), value) {
                    out.insert(k.clone(), value.clone());
                }
            }
        }
        answers
            .context
            .insert(REMEMBERED.into(), Value::Object(out));
    }
}

/// The context questions start from: `base`, and what templates see
/// besides the questions' own answers. Copier renders with every answer
/// its answers file recorded, asked or not, so a question the template
/// renamed can default to the answer under its old name; keys given that
/// are not questions are visible too. The questions' answers, set later,
/// take their place.
fn seeded(
    config: &TemplateConfig,
    mut context: Map<String, Value>,
    sources: &AnswerSources,
) -> Map<String, Value> {
    if config.dialect == Dialect::Copier {
        for (k, v) in &sources.recorded {
            context.insert(k.clone(), v.clone());
        }
    }
    for (k, v) in &sources.data_file {
        context.insert(k.clone(), v.clone());
    }
    for (k, v) in &sources.data {
        if !config.questions.iter().any(|q| &q.name == k) {
            context.insert(k.clone(), Value::String(v.clone()));
        }
    }
    context
}

/// What answers one question: the sources, the engine that renders its
/// fields, and whether a terminal may be asked.
struct Resolver<'a> {
    config: &'a TemplateConfig,
    engine: &'a Engine,
    sources: &'a AnswerSources,
    interactive: bool,
}

impl Resolver<'_> {
    /// The question's default: the user's settings, else its own
    /// (rendered with the answers so far); `origin` names it in errors.
    fn default(&self, q: &Question, ctx: &Context, origin: &str) -> Result<Option<Value>, Error> {
        let default = match self.sources.user_defaults.get(&q.name) {
            Some(v) => Some(cast_answer(q, v)),
            None => match &q.default {
                Some(d) => Some(cast_default(q, &self.engine.render_value(origin, d, ctx)?)),
                None => None,
            },
        };
        default.transpose().map_err(|message| {
            AnswerError::InvalidAnswer {
                question: q.name.clone(),
                origin: format!("its default ({})", q.origin),
                message,
            }
            .into()
        })
    }

    /// The answer `--data` or `--data-file` gives, parsed and validated.
    fn given(&self, q: &Question, context: &Map<String, Value>) -> Result<Option<Value>, Error> {
        let given =
            if let Some((_, text)) = self.sources.data.iter().rev().find(|(k, _)| k == &q.name) {
                Some((parse_answer(q, text), "`--data`".to_string()))
            } else {
                self.sources.data_file.get(&q.name).map(|v| {
                    let cast = match v {
                        // Copier reads a text answer of a yaml or json question
                        // as YAML or JSON, wherever it comes from.
                        Value::String(text)
                            if self.config.dialect == Dialect::Copier
                                && !q.multiselect
                                && matches!(q.ty, QuestionType::Yaml | QuestionType::Json) =>
                        {
                            parse_text(q.ty, text)
                        }
                        v => cast_answer(q, v),
                    };
                    (cast, "`--data-file`".to_string())
                })
            };
        Ok(match given {
            Some((parsed, origin)) => {
                let value = parsed.map_err(|message| AnswerError::InvalidAnswer {
                    question: q.name.clone(),
                    origin: origin.clone(),
                    message,
                })?;
                validate(self.engine, self.config.dialect, q, &value, context).map_err(
                    |message| AnswerError::InvalidAnswer {
                        question: q.name.clone(),
                        origin,
                        message,
                    },
                )?;
                Some(value)
            }
            None => None,
        })
    }

    /// The answer of an asked question: `--ask` on the terminal, else what
    /// was given, else the recorded answer, a prompt or the default.
    fn value(
        &self,
        q: &Question,
        given: Option<Value>,
        default: Option<Value>,
        context: &Map<String, Value>,
        prompter: &mut dyn Prompter,
    ) -> Result<Value, Error> {
        let recorded = || match (q.secret, self.sources.recorded.get(&q.name)) {
            (false, Some(v)) => cast_answer(q, v)
                .ok()
                .filter(|v| validate(self.engine, self.config.dialect, q, v, context).is_ok()),
            _ => None,
        };
        let prompt = |default: Option<&Value>, prompter: &mut dyn Prompter| {
            ask(
                self.engine,
                self.config.dialect,
                q,
                default,
                context,
                prompter,
            )
        };
        Ok(if self.sources.asks(&q.name) {
            // `--ask`: on the terminal, whatever else answers it, the
            // answer it would have had as the default.
            if !prompter.interactive() {
                return Err(AnswerError::AskWithoutTerminal {
                    question: q.name.clone(),
                }
                .into());
            }
            let default = given.or_else(recorded).or(default);
            prompt(default.as_ref(), prompter)?
        } else if let Some(value) = given {
            value
        } else {
            match recorded() {
                Some(v) if !self.interactive || self.sources.skip_answered => v,
                recorded => {
                    let default = recorded.or(default);
                    if self.interactive {
                        prompt(default.as_ref(), prompter)?
                    } else if self.sources.use_defaults {
                        let Some(d) = default else {
                            return Err(AnswerError::NoDefault {
                                question: q.name.clone(),
                            }
                            .into());
                        };
                        // Copier does not judge a secret's default.
                        if !(self.config.dialect == Dialect::Copier && q.secret) {
                            validate(self.engine, self.config.dialect, q, &d, context).map_err(
                                |message| AnswerError::InvalidAnswer {
                                    question: q.name.clone(),
                                    origin: "its default".to_string(),
                                    message,
                                },
                            )?;
                        }
                        d
                    } else {
                        return Err(AnswerError::MissingAnswer {
                            question: q.name.clone(),
                            has_default: default.is_some(),
                        }
                        .into());
                    }
                }
            }
        })
    }
}

/// `q` with the type its `type` template renders to.
fn with_rendered_type(
    engine: &Engine,
    q: &Question,
    text: &str,
    ctx: &Context,
) -> Result<Question, Error> {
    let origin = format!("{} (type of `{}`)", q.origin, q.name);
    let rendered = engine.render(&origin, text, ctx)?;
    let ty = QuestionType::parse(rendered.trim()).ok_or_else(|| {
        Error::config(
            &q.origin.file,
            q.origin.line,
            format!(
                "question `{}` has unknown type `{rendered}` (from `{text}`); expected one of {}",
                q.name,
                crate::config::TYPES
            ),
        )
    })?;
    Ok(Question {
        ty,
        type_text: None,
        ..q.clone()
    })
}

fn context(map: &Map<String, Value>) -> Result<Context, Error> {
    Context::of(map)
}

/// Parses typed data (YAML, JSON, a recorded answer, a default) by question type.
pub fn cast_answer(q: &Question, value: &Value) -> Result<Value, String> {
    if q.multiselect {
        let Value::Array(items) = value else {
            return Err(format!("expected a list of choices, got `{value}`"));
        };
        return items
            .iter()
            .map(|v| cast(q.ty, v))
            .collect::<Result<_, _>>()
            .map(Value::Array);
    }
    cast(q.ty, value)
}

/// Casts a template's (rendered) default. A `yaml` or `json` question's
/// default written as text is the text of its value, parsed as `--data` is,
/// as Copier does: `default: "{{ items }}"` or `default: '{"k": 1}'`; a
/// multiselect default written as text is a YAML list of choices, as
/// Copier reads it: `default: "{{ '[one, three]' }}"`.
fn cast_default(q: &Question, value: &Value) -> Result<Value, String> {
    match value {
        Value::String(text) if q.multiselect => parse_answer(q, text),
        Value::String(text) if matches!(q.ty, QuestionType::Yaml | QuestionType::Json) => {
            parse_text(q.ty, text)
        }
        // A multiselect default written as text is a YAML list (Copier).
        Value::String(text) if q.multiselect => parse_answer(q, text),
        other => cast_answer(q, other),
    }
}

/// Parses text (`--data`, a prompt) by question type; a multiselect
/// answer is a YAML list of them.
pub fn parse_answer(q: &Question, text: &str) -> Result<Value, String> {
    if q.multiselect {
        let value = crate::config::yaml::parse(text)
            .map_err(|e| format!("expected a YAML list like `[a, b]`: {}", e.message))?
            .to_json();
        let items = match value {
            Value::Array(items) => items,
            Value::Null => Vec::new(),
            single => vec![single],
        };
        let items = items
            .into_iter()
            .map(|item| list_item(q.ty, item))
            .collect::<Result<_, _>>()?;
        return cast_answer(q, &Value::Array(items));
    }
    parse_text(q.ty, text)
}

/// An item of a multiselect answer written as a YAML list, read as Copier
/// reads the items: a text item of a YAML or JSON question is parsed; a
/// list or mapping item of another question is its text (`[1]`).
fn list_item(ty: QuestionType, item: Value) -> Result<Value, String> {
    Ok(match (ty, item) {
        (QuestionType::Yaml | QuestionType::Json, Value::String(text)) => parse_text(ty, &text)?,
        (QuestionType::Yaml | QuestionType::Json, item) => item,
        (_, item @ (Value::Array(_) | Value::Object(_))) => Value::String(item.to_string()),
        (_, item) => item,
    })
}

/// A multiselect answer of a Copier template in the order of its choices,
/// as Copier keeps it (values that are no choice, if any, stay last).
fn in_choice_order(
    engine: &Engine,
    dialect: Dialect,
    q: &Question,
    value: Value,
    ctx: &Map<String, Value>,
) -> Value {
    let Value::Array(items) = &value else {
        return value;
    };
    if dialect != Dialect::Copier || !q.multiselect {
        return value;
    }
    let Ok(options) = choices(engine, dialect, q, ctx) else {
        return value;
    };
    let mut ordered: Vec<Value> = Vec::new();
    for (_, option, _) in &options {
        if items.contains(option) && !ordered.contains(option) {
            ordered.push(option.clone());
        }
    }
    let rest: Vec<Value> = items
        .iter()
        .filter(|v| !ordered.contains(v))
        .cloned()
        .collect();
    ordered.extend(rest);
    Value::Array(ordered)
}

fn parse_text(ty: QuestionType, text: &str) -> Result<Value, String> {
    match ty {
        QuestionType::Str | QuestionType::Path => Ok(Value::String(text.to_string())),
        QuestionType::Int => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("`{text}` is not an integer")),
        QuestionType::Float => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("`{text}` is not a number")),
        QuestionType::Bool => parse_bool(text).map(Value::Bool).ok_or_else(|| {
            format!("`{text}` is not a boolean (use yes/no, true/false, on/off, 1/0)")
        }),
        QuestionType::Yaml => crate::config::yaml::parse(text)
            .map(|n| n.to_json())
            .map_err(|e| format!("not valid YAML: {}", e.message)),
        QuestionType::Json => {
            serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))
        }
    }
}

fn cast(ty: QuestionType, value: &Value) -> Result<Value, String> {
    match (ty, value) {
        (QuestionType::Yaml | QuestionType::Json, v) => Ok(v.clone()),
        (_, Value::String(s)) => parse_text(ty, s),
        (QuestionType::Str | QuestionType::Path, Value::Number(n)) => {
            Ok(Value::String(n.to_string()))
        }
        (QuestionType::Str | QuestionType::Path, Value::Bool(b)) => {
            Ok(Value::String(b.to_string()))
        }
        (QuestionType::Int, Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(value.clone()),
        (QuestionType::Int, Value::Number(n)) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Value::from(f as i64)),
            _ => Err(format!("`{n}` is not an integer")),
        },
        (QuestionType::Float, Value::Number(n)) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("`{n}` is not a number")),
        (QuestionType::Bool, Value::Bool(_)) => Ok(value.clone()),
        (QuestionType::Bool, Value::Number(n))
            if n.as_i64() == Some(0) || n.as_i64() == Some(1) =>
        {
            Ok(Value::Bool(n.as_i64() == Some(1)))
        }
        (ty, other) => Err(format!("expected {}, got `{other}`", ty_name(ty))),
    }
}

fn ty_name(ty: QuestionType) -> &'static str {
    match ty {
        QuestionType::Str | QuestionType::Path => "text",
        QuestionType::Int => "an integer",
        QuestionType::Float => "a number",
        QuestionType::Bool => "a boolean",
        QuestionType::Yaml | QuestionType::Json => "a value",
    }
}

/// The question's choices with their values cast to its type and the
/// reason each one is disabled, if it is. A Copier template's choices are
/// templates too: their text, labels and values are rendered with the
/// answers so far.
fn choices(
    engine: &Engine,
    dialect: Dialect,
    q: &Question,
    ctx: &Map<String, Value>,
) -> Result<Vec<(String, Value, Option<String>)>, String> {
    let c = context(ctx).map_err(|e| e.to_string())?;
    let origin = |what: &str| format!("{} ({what} of `{}`)", q.origin, q.name);
    let rendered;
    let list = match (&q.choices, &q.choices_text) {
        (Some(list), _) => list,
        (None, Some(text)) => {
            let text = engine
                .render(&origin("choices"), text, &c)
                .map_err(|e| error_text(&e))?;
            rendered = crate::config::choices_from_text(q, &text).map_err(|e| e.to_string())?;
            &rendered
        }
        (None, None) => return Ok(Vec::new()),
    };
    list.iter()
        .map(|choice| {
            let (label, value) = match dialect {
                Dialect::Copier => (
                    engine
                        .render(&origin("choices"), &choice.label, &c)
                        .map_err(|e| error_text(&e))?,
                    engine
                        .render_value(&origin("choices"), &choice.value, &c)
                        .map_err(|e| error_text(&e))?,
                ),
                Dialect::Graft => (choice.label.clone(), choice.value.clone()),
            };
            let value = match (dialect, &value) {
                // Copier reads a text value of a YAML or JSON question.
                (Dialect::Copier, Value::String(text))
                    if matches!(q.ty, QuestionType::Yaml | QuestionType::Json) =>
                {
                    parse_text(q.ty, text)?
                }
                _ => cast(q.ty, &value)?,
            };
            let disabled = match &choice.validator {
                Some(v) => {
                    let out = engine
                        .render(
                            &format!("{} (validator of choice `{}`)", q.origin, choice.label),
                            v,
                            &c,
                        )
                        .map_err(|e| error_text(&e))?;
                    let out = out.trim();
                    (!out.is_empty()).then(|| out.to_string())
                }
                None => None,
            };
            Ok((label, value, disabled))
        })
        .collect()
}

fn error_text(e: &Error) -> String {
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// Checks choices and the validator; the error is the message to show.
pub fn validate(
    engine: &Engine,
    dialect: Dialect,
    q: &Question,
    value: &Value,
    ctx: &Map<String, Value>,
) -> Result<(), String> {
    if q.has_choices() {
        let options = choices(engine, dialect, q, ctx)?;
        let picked: Vec<&Value> = match value {
            Value::Array(items) if q.multiselect => items.iter().collect(),
            v => vec![v],
        };
        for v in picked {
            // An available choice of that value wins over one that is not.
            let matching = options.iter().filter(|(_, cv, _)| cv == v);
            match matching.min_by_key(|(_, _, disabled)| disabled.is_some()) {
                None => {
                    let valid: Vec<String> = options
                        .iter()
                        .filter(|(_, _, d)| d.is_none())
                        .map(|(_, v, _)| display(v))
                        .collect();
                    return Err(format!(
                        "`{}` is not one of the choices: {}",
                        display(v),
                        valid.join(", ")
                    ));
                }
                Some((label, _, Some(reason))) => {
                    return Err(format!("choice `{label}` is not available: {reason}"))
                }
                Some(_) => {}
            }
        }
    }
    if let Some(validator) = &q.validator {
        let mut ctx = ctx.clone();
        ctx.insert(q.name.clone(), value.clone());
        let c = context(&ctx).map_err(|e| e.to_string())?;
        let out = engine
            .render(
                &format!("{} (validator of `{}`)", q.origin, q.name),
                validator,
                &c,
            )
            .map_err(|e| error_text(&e))?;
        let out = out.trim();
        if !out.is_empty() {
            return Err(out.to_string());
        }
    }
    Ok(())
}

fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Text shown as a prompt's pre-filled default.
fn default_text(q: &Question, v: &Value) -> String {
    match (q.ty, v) {
        (QuestionType::Yaml, v) => serde_saphyr::to_string(v)
            .map(|s| s.trim_end().to_string())
            .unwrap_or_default(),
        (QuestionType::Json, v) => v.to_string(),
        (_, v) => display(v),
    }
}

fn ask(
    engine: &Engine,
    dialect: Dialect,
    q: &Question,
    default: Option<&Value>,
    ctx: &Map<String, Value>,
    prompter: &mut dyn Prompter,
) -> Result<Value, Error> {
    let c = context(ctx)?;
    let label = match &q.help {
        Some(h) => engine.render(&format!("{} (help of `{}`)", q.origin, q.name), h, &c)?,
        None => q.name.clone(),
    };
    if q.has_choices() {
        let options =
            choices(engine, dialect, q, ctx).map_err(|message| AnswerError::InvalidAnswer {
                question: q.name.clone(),
                origin: "its choices".to_string(),
                message,
            })?;
        let items: Vec<String> = options
            .iter()
            .map(|(l, _, d)| match d {
                Some(reason) => format!("{l} (unavailable: {reason})"),
                None => l.clone(),
            })
            .collect();
        loop {
            let value = if q.multiselect {
                let defaults: Vec<bool> = options
                    .iter()
                    .map(|(_, v, _)| matches!(default, Some(Value::Array(d)) if d.contains(v)))
                    .collect();
                let picked = prompter.multi_select(&label, &items, &defaults)?;
                Value::Array(picked.into_iter().map(|i| options[i].1.clone()).collect())
            } else {
                let index = default
                    .and_then(|d| options.iter().position(|(_, v, _)| v == d))
                    .unwrap_or(0);
                let i = prompter.select(&label, &items, index)?;
                options[i].1.clone()
            };
            match validate(engine, dialect, q, &value, ctx) {
                Ok(()) => return Ok(value),
                Err(message) => prompter.warn(&message),
            }
        }
    }
    if q.ty == QuestionType::Bool {
        loop {
            let d = default.and_then(Value::as_bool).unwrap_or(false);
            let value = Value::Bool(prompter.confirm(&label, d)?);
            match validate(engine, dialect, q, &value, ctx) {
                Ok(()) => return Ok(value),
                Err(message) => prompter.warn(&message),
            }
        }
    }
    let default = default.map(|d| default_text(q, d));
    let mut check = |text: &str| -> Result<(), String> {
        let value = parse_answer(q, text)?;
        validate(engine, dialect, q, &value, ctx)
    };
    let text = prompter.text(
        &label,
        default.as_deref(),
        q.secret,
        q.placeholder.as_deref(),
        &mut check,
    )?;
    parse_answer(q, &text).map_err(|message| {
        AnswerError::InvalidAnswer {
            question: q.name.clone(),
            origin: "the prompt".to_string(),
            message,
        }
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::NoPrompt;
    use crate::tree::{FileTree, Node};
    use serde_json::json;

    fn config(yaml: &str) -> TemplateConfig {
        let mut t = FileTree::new();
        t.insert("graft.yml", Node::file(yaml));
        crate::config::load(&t, "t").unwrap()
    }

    fn run(yaml: &str, sources: AnswerSources) -> Result<Answers, Error> {
        resolve(
            &config(yaml),
            &Engine::new(),
            Map::new(),
            &sources,
            &mut NoPrompt,
        )
    }

    #[test]
    fn bools() {
        for t in ["y", "YES", "t", "True", "on", "1"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["n", "No", "F", "false", "OFF", "0"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn precedence_data_over_file_over_settings_over_template() {
        let yaml = "a: ta\nb: tb\nc: tc\nd: td\n";
        let sources = AnswerSources {
            data: vec![("a".into(), "data".into())],
            data_file: json!({"a": "file", "b": "file"})
                .as_object()
                .unwrap()
                .clone(),
            user_defaults: json!({"a": "user", "b": "user", "c": "user"})
                .as_object()
                .unwrap()
                .clone(),
            use_defaults: true,
            ..Default::default()
        };
        let a = run(yaml, sources).unwrap();
        assert_eq!(
            Value::Object(a.recorded),
            json!({"a": "data", "b": "file", "c": "user", "d": "td"})
        );
    }

    #[test]
    fn computed_values_are_used_not_recorded() {
        let yaml = "name: My App\npkg:\n  default: \"{{snake_case name}}\"\n  when: false\n";
        let a = run(
            yaml,
            AnswerSources {
                use_defaults: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(a.context["pkg"], json!("my_app"));
        assert!(!a.recorded.contains_key("pkg"));
    }

    #[test]
    fn data_overrides_a_computed_value_without_recording_it() {
        let yaml = "name: My App\npkg:\n  default: \"{{snake_case name}}\"\n  when: false\n";
        let sources = AnswerSources {
            data: vec![("pkg".into(), "custom".into())],
            use_defaults: true,
            ..Default::default()
        };
        let a = run(yaml, sources).unwrap();
        assert_eq!(a.context["pkg"], json!("custom"));
        assert!(!a.recorded.contains_key("pkg"));
    }

    /// Answers a `copier.yml` with Copier's Jinja, as Copier's dialect does.
    fn run_copier(yaml: &str, sources: AnswerSources) -> Answers {
        let mut t = FileTree::new();
        t.insert("copier.yml", Node::file(yaml));
        let config = crate::config::load(&t, "t").unwrap();
        let (engine, _) = Engine::jinja(&t, &config, false).unwrap();
        let base = json!({"_copier_phase": "render"});
        let base = base.as_object().unwrap().clone();
        resolve(&config, &engine, base, &sources, &mut NoPrompt).unwrap()
    }

    #[test]
    fn copier_questions_are_answered_in_the_prompt_phase() {
        let a = run_copier(
            "phase:\n  type: str\n  default: \"{{ _copier_phase }}\"\n",
            AnswerSources {
                use_defaults: true,
                ..Default::default()
            },
        );
        assert_eq!(a.recorded["phase"], json!("prompt"));
        assert_eq!(a.context["_copier_phase"], json!("render"));
    }

    #[test]
    fn copier_renders_with_recorded_answers_of_questions_it_no_longer_asks() {
        // v2 renamed `with_docs` to `docs`, defaulting to the old answer.
        let yaml = "docs:\n  type: bool\n  default: \"{{ with_docs|default(false) }}\"\ntheme:\n  type: str\n  when: false\n";
        let recorded = json!({"with_docs": true, "theme": "dark"});
        let a = run_copier(
            yaml,
            AnswerSources {
                recorded: recorded.as_object().unwrap().clone(),
                use_defaults: true,
                skip_answered: true,
                ..Default::default()
            },
        );
        assert_eq!(Value::Object(a.recorded), json!({"docs": true}));
        assert_eq!(a.context["with_docs"], json!(true));
        // Not asked and without a default: the recorded answer is gone.
        assert!(!a.context.contains_key("theme"));
    }

    #[test]
    fn copier_takes_defaults_unvalidated() {
        let yaml = "token:\n  type: str\n  secret: true\n  default: \"\"\n  validator: \"{% if token == '' %}Must not be empty{% endif %}\"\n";
        let a = run_copier(
            yaml,
            AnswerSources {
                use_defaults: true,
                ..Default::default()
            },
        );
        assert_eq!(a.context["token"], json!(""));
    }

    #[test]
    fn missing_answer_without_terminal() {
        let e = run("name: x\n", AnswerSources::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no answer for question `name` and no terminal to ask on"
        );
        assert_eq!(
            e.hint().unwrap(),
            "pass `--data name=VALUE`, put it in a `--data-file`, or use `--defaults` to take its default"
        );
    }

    #[test]
    fn typed_parsing_errors() {
        let sources = AnswerSources {
            data: vec![("n".into(), "ten".into())],
            use_defaults: true,
            ..Default::default()
        };
        let e = run("n: 3\n", sources).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid answer for `n` from `--data`: `ten` is not an integer"
        );
    }

    #[test]
    fn disabled_choice_and_validator() {
        let yaml = "db:\n  choices:\n    pg: {value: pg, validator: 'needs docker'}\n    none: none\n  default: none\nname:\n  default: x\n  validator: \"{{#if (regex_match name '^[a-z]+$')}}{{else}}lowercase only{{/if}}\"\n";
        let e = run(
            yaml,
            AnswerSources {
                data: vec![("db".into(), "pg".into())],
                use_defaults: true,
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid answer for `db` from `--data`: choice `pg` is not available: needs docker"
        );
        let e = run(
            yaml,
            AnswerSources {
                data: vec![("name".into(), "X1".into())],
                use_defaults: true,
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid answer for `name` from `--data`: lowercase only"
        );
    }

    #[test]
    fn a_value_an_available_choice_offers_is_valid_though_another_is_disabled() {
        let yaml = "fruit:\n  choices:\n    banana: {value: yellow, validator: 'out of stock'}\n    lemon: yellow\n";
        let a = run(
            yaml,
            AnswerSources {
                data: vec![("fruit".into(), "yellow".into())],
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(a.recorded["fruit"], "yellow");
    }

    #[test]
    fn a_multiselect_default_written_as_text_is_a_list_in_the_order_of_the_choices() {
        let mut t = FileTree::new();
        t.insert(
            "copier.yml",
            Node::file("q:\n  type: str\n  choices: ['[1]', '[2]', '[3]']\n  multiselect: true\n  default: \"{{ '[[3], [1]]' }}\"\n"),
        );
        let config = crate::config::load(&t, "t").unwrap();
        let (engine, _) = Engine::jinja(&t, &config, false).unwrap();
        let sources = AnswerSources {
            use_defaults: true,
            ..Default::default()
        };
        let a = resolve(&config, &engine, Map::new(), &sources, &mut NoPrompt).unwrap();
        assert_eq!(a.recorded["q"], serde_json::json!(["[1]", "[3]"]));
    }

    #[test]
    fn a_copier_type_is_rendered_with_the_answers_so_far() {
        let mut t = FileTree::new();
        t.insert(
            "copier.yml",
            Node::file("main: copier\nn:\n  type: \"{% if main == 'copier' %}int{% endif %}\"\n  default: '7'\n"),
        );
        let config = crate::config::load(&t, "t").unwrap();
        let (engine, _) = Engine::jinja(&t, &config, false).unwrap();
        let mut sources = AnswerSources {
            use_defaults: true,
            ..Default::default()
        };
        let a = resolve(&config, &engine, Map::new(), &sources, &mut NoPrompt).unwrap();
        assert_eq!(a.recorded["n"], 7);
        sources.data = vec![("main".into(), "other".into())];
        let e = resolve(&config, &engine, Map::new(), &sources, &mut NoPrompt).unwrap_err();
        assert_eq!(
            e.to_string(),
            "copier.yml:2: question `n` has unknown type `` (from `{% if main == 'copier' %}int{% endif %}`); expected one of str, int, float, bool, yaml, json, path"
        );
    }

    #[test]
    fn yaml_and_json_defaults_written_as_text_are_parsed() {
        let yaml =
            "l:\n  type: yaml\n  default: \"[a, b]\"\nj:\n  type: json\n  default: '{\"k\": 1}'\n";
        let a = run(
            yaml,
            AnswerSources {
                use_defaults: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            Value::Object(a.recorded),
            json!({"l": ["a", "b"], "j": {"k": 1}})
        );
    }

    #[test]
    fn multiselect_from_data() {
        let yaml = "f:\n  choices: [a, b, c]\n  multiselect: true\n  default: [a]\n";
        let a = run(
            yaml,
            AnswerSources {
                data: vec![("f".into(), "[b, c]".into())],
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(a.recorded["f"], json!(["b", "c"]));
    }
}

/// The project's record of a template: where from, which version, the
/// answers, and the operation whose render wrote the project, so that
/// `check`, `diff` and `update` can repeat that render byte for byte.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnswersFile {
    pub src_path: String,
    pub commit: Option<String>,
    pub commit_sha: Option<String>,
    /// The operation of that render (`_operation`, written only when it
    /// is not `copy`), which templates printed as `_graft.operation`. A
    /// file without it, also one an earlier graft wrote, was written by a
    /// copy.
    pub operation: Operation,
    pub answers: Map<String, Value>,
}

impl AnswersFile {
    /// The operation and the ref asked for that a render of a project's
    /// recorded version is given (in `check`, `diff` and the old side of
    /// an update), from this answers file of the project. The ref is
    /// the recorded `_commit`.
    ///
    /// graft's operation is the one the answers file records: that of the
    /// render that wrote the project, so this render repeats it byte for
    /// byte. Copier's is `update`, as Copier's own update renders the old
    /// version (its templates see it only in `_exclude` and tasks).
    pub fn recorded_run(&self, dialect: Dialect) -> (Operation, Option<String>) {
        let recorded = self;
        let operation = match dialect {
            Dialect::Graft => recorded.operation,
            Dialect::Copier => Operation::Update,
        };
        (operation, recorded.commit.clone())
    }

    /// The ref a render is asked for: `asked`, but for `:current:` (the
    /// recorded version), which stands for the recorded `_commit`, as
    /// Copier resolves it.
    pub fn asked_ref(&self, dialect: Dialect, asked: &VersionAsked) -> Option<String> {
        match asked {
            VersionAsked::Current => self.recorded_run(dialect).1,
            VersionAsked::Newest => None,
            VersionAsked::Ref(r) => Some(r.clone()),
        }
    }

    /// The YAML text of a `dialect` answers file, stable for the same
    /// values. An answer YAML cannot hold is an error, never a file
    /// without the answers.
    pub fn to_yaml(&self, dialect: Dialect) -> Result<String, Error> {
        let mut map = Map::new();
        map.insert("_src_path".into(), Value::String(self.src_path.clone()));
        if let Some(c) = &self.commit {
            map.insert("_commit".into(), Value::String(c.clone()));
        }
        if let Some(c) = &self.commit_sha {
            map.insert("_commit_sha".into(), Value::String(c.clone()));
        }
        if self.operation != Operation::Copy {
            map.insert("_operation".into(), self.operation.as_str().into());
        }
        for (k, v) in &self.answers {
            map.insert(k.clone(), v.clone());
        }
        let body =
            serde_saphyr::to_string(&Value::Object(map)).map_err(|e| AnswerError::DataFile {
                file: dialect.default_answers_file().to_string(),
                format: "YAML",
                message: format!("the answers cannot be written as YAML: {e}"),
            })?;
        Ok(format!("{}{body}", dialect.answers_header()))
    }

    /// Reads an answers file; `file` names it in errors.
    ///
    /// The file may come from a stranger, so `_commit` and `_commit_sha`
    /// are checked here: a ref that starts with `-` or holds spaces, or a
    /// sha that is not hex, is refused before anything looks it up.
    pub fn parse(text: &str, file: &str) -> Result<AnswersFile, Error> {
        let node =
            crate::config::yaml::parse(text).map_err(|e| Error::config(file, e.line, e.message))?;
        let crate::config::yaml::Yaml::Map(entries) = node.value else {
            return Err(Error::config(
                file,
                node.line,
                "an answers file must be a mapping",
            ));
        };
        let mut out = AnswersFile::default();
        for (k, v) in entries {
            let line = v.key_line;
            let bad = |message: String| Error::config(file, line, message);
            let text = || {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| bad(format!("`{k}` must be text, found `{}`", v.to_json())))
            };
            match k.as_str() {
                "_src_path" => out.src_path = text()?,
                "_commit" => {
                    let r = text()?;
                    if r.is_empty()
                        || r.starts_with('-')
                        || r.chars().any(|c| c.is_whitespace() || c.is_control())
                    {
                        return Err(bad(format!("`_commit` `{r}` is not a valid git ref")));
                    }
                    out.commit = Some(r);
                }
                "_commit_sha" => {
                    let sha = text()?;
                    if !(4..=64).contains(&sha.len()) || !sha.chars().all(|c| c.is_ascii_hexdigit())
                    {
                        return Err(bad(format!(
                            "`_commit_sha` `{sha}` is not a commit id (4 to 64 hex digits)"
                        )));
                    }
                    out.commit_sha = Some(sha);
                }
                "_operation" => {
                    let name = text()?;
                    out.operation = Operation::from_name(&name).ok_or_else(|| {
                        bad(format!(
                            "`_operation` `{name}` is not `copy`, `update` or `recopy`"
                        ))
                    })?;
                }
                _ if k.starts_with('_') => {}
                _ => {
                    out.answers.insert(k, v.to_json());
                }
            }
        }
        if out.src_path.is_empty() {
            return Err(Error::config(
                file,
                1,
                "`_src_path` is missing, so graft does not know the template",
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod answers_file_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_keeps_types() {
        let answers = json!({
            "s_no": "no", "s_yes": "yes", "s_num": "123", "s_float": "1.5", "s_null": "null",
            "s_tilde": "~", "s_empty": "", "s_colon": "a: b", "s_hash": "#x", "s_multi": "a\nb",
            "b": false, "i": 7, "f": 2.5, "l": ["x", 1], "m": {"k": "v"}
        });
        let file = AnswersFile {
            src_path: "/t".into(),
            commit: Some("v1.0.0".into()),
            commit_sha: None,
            operation: Operation::Copy,
            answers: answers.as_object().unwrap().clone(),
        };
        let text = file.to_yaml(Dialect::Graft).unwrap();
        assert!(text.starts_with(Dialect::Graft.answers_header()));
        assert_eq!(AnswersFile::parse(&text, "a.yml").unwrap(), file, "{text}");
    }

    #[test]
    fn the_facts_of_the_render_that_wrote_the_project_round_trip() {
        let file = AnswersFile {
            src_path: "/t".into(),
            commit: Some("v1.0.0-2-gabc1234".into()),
            commit_sha: Some("abc1234".into()),
            operation: Operation::Update,
            answers: json!({"name": "app"}).as_object().unwrap().clone(),
        };
        let text = file.to_yaml(Dialect::Graft).unwrap();
        assert_eq!(
            text,
            format!(
                "{}_src_path: /t\n_commit: v1.0.0-2-gabc1234\n_commit_sha: abc1234\n\
                 _operation: update\nname: app\n",
                Dialect::Graft.answers_header()
            )
        );
        assert_eq!(AnswersFile::parse(&text, "a.yml").unwrap(), file);
        let copied = AnswersFile {
            operation: Operation::Copy,
            ..file
        };
        let text = copied.to_yaml(Dialect::Graft).unwrap();
        assert!(!text.contains("_operation"), "{text}");
        assert_eq!(AnswersFile::parse(&text, "a.yml").unwrap(), copied);
    }
    #[test]
    fn refs_that_could_be_options_are_refused() {
        let parse = |line: &str| {
            AnswersFile::parse(&format!("_src_path: /t\n{line}\n"), "a.yml")
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            parse("_commit: --upload-pack=touch pwned").unwrap_err(),
            "a.yml:2: `_commit` `--upload-pack=touch pwned` is not a valid git ref"
        );
        assert_eq!(
            parse("_commit: v1.0.0 -x").unwrap_err(),
            "a.yml:2: `_commit` `v1.0.0 -x` is not a valid git ref"
        );
        assert_eq!(
            parse("_commit_sha: -x").unwrap_err(),
            "a.yml:2: `_commit_sha` `-x` is not a commit id (4 to 64 hex digits)"
        );
        assert_eq!(
            parse("_commit: 12").unwrap_err(),
            "a.yml:2: `_commit` must be text, found `12`"
        );
        assert!(parse("_commit: v1.0.0-3-gabc1234\n_commit_sha: 3f5c9a0e").is_ok());
        assert_eq!(
            parse("_operation: delete").unwrap_err(),
            "a.yml:2: `_operation` `delete` is not `copy`, `update` or `recopy`"
        );
    }
}
