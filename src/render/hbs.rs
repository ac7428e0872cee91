//! The handlebars engine of graft's own dialect, and its helpers.
//!
//! Strict mode (an unknown variable is an error), no HTML escaping, and only
//! pure helpers: the same inputs give the same bytes on every machine, which
//! is what makes `graft update` possible.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use handlebars::{
    Context as HbsContext, Handlebars, Helper, HelperDef, RenderContext, RenderError,
    RenderErrorReason, Renderable, ScopedJson, StringOutput, Template,
};
use heck::{ToKebabCase, ToLowerCamelCase, ToSnakeCase, ToTitleCase, ToUpperCamelCase};
use serde_json::Value;

use super::engine::Context;
use super::nesting::{self, GraphError, PartialGraph, MAX_NESTING};
use crate::error::Error;
use crate::tree::Bytes;

/// A configured handlebars registry with graft's helpers and the template's partials.
pub struct Hbs {
    hbs: Handlebars<'static>,
    compiled: Option<Arc<Compiled>>,
    /// The partials and what they include, to bound how deep a render nests.
    partials: PartialGraph,
    /// The deepest nesting each partial reaches, once
    /// [`Hbs::check_partials`] has run since the last partial was added.
    partial_depths: Option<HashMap<String, usize>>,
}

/// Compiled file templates by their text, for engines that render the same
/// files more than once: an update renders two versions of a template whose
/// templated files are mostly the same text, and parses each text once. A
/// compiled template does not depend on the engine's helpers or partials
/// (they are looked up while rendering), so engines of different versions
/// can share it.
#[derive(Default)]
pub struct Compiled(Mutex<HashMap<Bytes, Arc<Template>>>);

impl Compiled {
    fn get(&self, text: &Bytes) -> Option<Arc<Template>> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(text).cloned()
    }

    fn put(&self, text: &Bytes, template: Arc<Template>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(text.clone(), template);
    }

    /// Drops every compiled template (the renders that share them are done).
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

impl Default for Hbs {
    fn default() -> Self {
        Hbs::new()
    }
}

impl Hbs {
    pub fn new() -> Hbs {
        let mut hbs = Handlebars::new();
        hbs.set_strict_mode(true);
        hbs.register_escape_fn(handlebars::no_escape);
        register_helpers(&mut hbs);
        Hbs {
            hbs,
            compiled: None,
            partials: PartialGraph::default(),
            partial_depths: Some(HashMap::new()),
        }
    }

    /// Keeps the templates this engine compiles for files in `compiled`,
    /// and reuses the ones already there.
    pub fn share_compiled(&mut self, compiled: Arc<Compiled>) {
        self.compiled = Some(compiled);
    }

    /// Registers a partial; `file` names it in errors. Call
    /// [`Hbs::check_partials`] once all are added.
    pub fn add_partial(&mut self, name: &str, text: &str, file: &str) -> Result<(), Error> {
        let scan = nesting::scan(text).map_err(|e| too_deep(file, e.line, None))?;
        self.partials.add(name, file, &scan);
        self.partial_depths = None;
        self.hbs
            .register_partial(name, text)
            .map_err(|e| Error::render(file, e.pos().map(|p| p.0), template_reason(&e)))
    }

    /// Refuses partials that include each other, or whose includes nest
    /// deeper than graft renders.
    pub fn check_partials(&mut self) -> Result<(), Error> {
        let depths = self.partials.depths().map_err(graph_error)?;
        self.partial_depths = Some(depths);
        Ok(())
    }

    /// Refuses a text that nests deeper than graft renders, by itself or
    /// through the partials it includes; handlebars would overflow the
    /// stack on it.
    fn check_nesting(&self, file: &str, text: &str) -> Result<(), Error> {
        let scan = nesting::scan(text).map_err(|e| too_deep(file, e.line, None))?;
        if scan.includes.is_empty() && scan.inlines.is_empty() {
            return Ok(());
        }
        let computed;
        let mut with_inlines;
        let (graph, depths) = if scan.inlines.is_empty() {
            let depths = match &self.partial_depths {
                Some(depths) => depths,
                None => {
                    computed = self.partials.depths().map_err(graph_error)?;
                    &computed
                }
            };
            (&self.partials, depths)
        } else {
            with_inlines = self.partials.clone();
            with_inlines.add_inlines(file, &scan);
            computed = with_inlines.depths().map_err(graph_error)?;
            (&with_inlines, &computed)
        };
        match graph.depth_with(scan.depth, &scan.includes, depths) {
            (reached, Some((partial, line))) if reached > MAX_NESTING => {
                Err(too_deep(file, line, Some(&partial)))
            }
            _ => Ok(()),
        }
    }

    /// Whether `text` holds anything this engine would render; text without
    /// it renders to itself.
    pub fn has_syntax(text: &str) -> bool {
        text.contains("{{")
    }

    /// Renders `text` with `ctx`; `file` names it in errors (a path, or
    /// `graft.yml:12 (default of name)`).
    pub fn render(&self, file: &str, text: &str, ctx: &Context) -> Result<String, Error> {
        if !Hbs::has_syntax(text) {
            return Ok(text.to_string());
        }
        self.check_nesting(file, text)?;
        self.hbs
            .render_template_with_context(text, ctx.hbs()?)
            .map_err(|e| render_error(file, e))
    }

    /// Renders the contents of a templated file, `bytes` being its UTF-8
    /// text; the compiled template is shared when the engine shares them.
    pub fn render_file(&self, file: &str, bytes: &Bytes, ctx: &Context) -> Result<String, Error> {
        let text = String::from_utf8_lossy(bytes);
        if !Hbs::has_syntax(&text) {
            return Ok(text.into_owned());
        }
        self.check_nesting(file, &text)?;
        let compile = || {
            super::hbs_compile::compile(&text)
                .map(Arc::new)
                .map_err(|e| render_error(file, RenderError::from(e)))
        };
        let template = match &self.compiled {
            None => compile()?,
            Some(compiled) => match compiled.get(bytes) {
                Some(t) => t,
                None => {
                    let t = compile()?;
                    compiled.put(bytes, t.clone());
                    t
                }
            },
        };
        let mut out = StringOutput::new();
        template
            .render(
                &self.hbs,
                ctx.hbs()?,
                &mut RenderContext::new(None),
                &mut out,
            )
            .map_err(|e| render_error(file, e))?;
        out.into_string()
            .map_err(|e| render_error(file, RenderError::from(e)))
    }
}

/// A text nested deeper than [`MAX_NESTING`], at `line` of `file`,
/// possibly through a partial.
fn too_deep(file: &str, line: usize, partial: Option<&str>) -> Error {
    let message = match partial {
        None => format!("blocks and subexpressions nest more than {MAX_NESTING} levels deep"),
        Some(p) => format!(
            "blocks, subexpressions and partials nest more than {MAX_NESTING} levels deep (through partial `{p}`)"
        ),
    };
    Error::render(file, Some(line), message)
}

fn graph_error(e: GraphError) -> Error {
    match e {
        GraphError::Cycle { chain, file, line } => Error::render(
            file,
            Some(line),
            format!("partials include each other: `{}`", chain.join(" → ")),
        ),
        GraphError::TooDeep {
            partial,
            file,
            line,
        } => too_deep(&file, line, Some(&partial)),
    }
}

fn template_reason(e: &handlebars::TemplateError) -> String {
    e.reason().to_string()
}

fn render_error(file: &str, e: RenderError) -> Error {
    let (line, message) = match e.reason() {
        RenderErrorReason::TemplateError(t) => (t.pos().map(|p| p.0), template_reason(t)),
        RenderErrorReason::MissingVariable(Some(name)) => {
            (e.line_no, format!("unknown variable `{name}`"))
        }
        other => (e.line_no, other.to_string()),
    };
    Error::render(file, line, message)
}

/// Handlebars truthiness: false, null, "", 0 and empty lists are false.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(_) => true,
    }
}

/// A helper written as a pure function of its parameter values.
struct Pure {
    name: &'static str,
    arity: std::ops::RangeInclusive<usize>,
    f: fn(&[Value]) -> Result<Value, String>,
}

impl HelperDef for Pure {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc HbsContext,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let params: Vec<Value> = h.params().iter().map(|p| p.value().clone()).collect();
        if !self.arity.contains(&params.len()) {
            let (lo, hi) = (self.arity.start(), self.arity.end());
            let expected = if lo == hi {
                format!("{lo}")
            } else {
                format!("{lo} to {hi}")
            };
            return Err(RenderErrorReason::Other(format!(
                "helper `{}` takes {expected} argument(s), got {}",
                self.name,
                params.len()
            ))
            .into());
        }
        (self.f)(&params)
            .map(ScopedJson::Derived)
            .map_err(|m| RenderErrorReason::Other(format!("helper `{}`: {m}", self.name)).into())
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn register_helpers(hbs: &mut Handlebars<'static>) {
    type HelperFn = fn(&[Value]) -> Result<Value, String>;
    let pure: [(&'static str, std::ops::RangeInclusive<usize>, HelperFn); 15] = [
        ("snake_case", 1..=1, |p| {
            Ok(text(&p[0]).to_snake_case().into())
        }),
        ("kebab_case", 1..=1, |p| {
            Ok(text(&p[0]).to_kebab_case().into())
        }),
        ("camel_case", 1..=1, |p| {
            Ok(text(&p[0]).to_lower_camel_case().into())
        }),
        ("pascal_case", 1..=1, |p| {
            Ok(text(&p[0]).to_upper_camel_case().into())
        }),
        ("upper", 1..=1, |p| Ok(text(&p[0]).to_uppercase().into())),
        ("lower", 1..=1, |p| Ok(text(&p[0]).to_lowercase().into())),
        ("title", 1..=1, |p| Ok(text(&p[0]).to_title_case().into())),
        ("trim", 1..=1, |p| Ok(text(&p[0]).trim().into())),
        ("when", 2..=3, |p| {
            Ok(if truthy(&p[0]) {
                p[1].clone()
            } else {
                p.get(2).cloned().unwrap_or_else(|| "".into())
            })
        }),
        ("replace", 3..=3, |p| {
            Ok(text(&p[0]).replace(&text(&p[1]), &text(&p[2])).into())
        }),
        ("regex_match", 2..=2, |p| {
            let re = regex::Regex::new(&text(&p[1])).map_err(|e| e.to_string())?;
            Ok(re.is_match(&text(&p[0])).into())
        }),
        ("join", 2..=2, |p| match &p[0] {
            Value::Array(items) => Ok(items
                .iter()
                .map(text)
                .collect::<Vec<_>>()
                .join(&text(&p[1]))
                .into()),
            other => Err(format!("expects a list, got `{other}`")),
        }),
        ("contains", 2..=2, |p| match &p[0] {
            Value::Array(items) => Ok(items.contains(&p[1]).into()),
            Value::Object(map) => Ok(map.contains_key(&text(&p[1])).into()),
            other => Ok(text(other).contains(&text(&p[1])).into()),
        }),
        ("len", 1..=1, |p| match &p[0] {
            Value::Array(items) => Ok(items.len().into()),
            Value::Object(map) => Ok(map.len().into()),
            Value::String(s) => Ok(s.chars().count().into()),
            other => Err(format!("has no length for `{other}`")),
        }),
        ("to_json", 1..=1, |p| {
            serde_json::to_string(&p[0])
                .map(Value::String)
                .map_err(|e| e.to_string())
        }),
    ];
    for (name, arity, f) in pure {
        hbs.register_helper(name, Box::new(Pure { name, arity, f }));
    }
    hbs.register_helper(
        "to_yaml",
        Box::new(Pure {
            name: "to_yaml",
            arity: 1..=1,
            f: |p| {
                serde_saphyr::to_string(&p[0])
                    .map(|s| Value::String(s.trim_end_matches('\n').to_string()))
                    .map_err(|e| e.to_string())
            },
        }),
    );
    hbs.register_helper("default", Box::new(DefaultHelper));
}

/// `{{default value fallback}}`: the fallback when the value is missing,
/// null or empty. Unlike other helpers it accepts a missing variable, which
/// is its whole point in strict mode.
struct DefaultHelper;

impl HelperDef for DefaultHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc HbsContext,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let (Some(value), Some(fallback)) = (h.param(0), h.param(1)) else {
            return Err(
                RenderErrorReason::Other("helper `default` takes 2 arguments".to_string()).into(),
            );
        };
        let missing = value.is_value_missing()
            || matches!(value.value(), Value::Null)
            || matches!(value.value(), Value::String(s) if s.is_empty());
        Ok(ScopedJson::Derived(if missing {
            fallback.value().clone()
        } else {
            value.value().clone()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(t: &str, data: Value) -> Result<String, Error> {
        Hbs::new().render("t", t, &Context::of(&data).unwrap())
    }

    #[test]
    fn helpers() {
        let d =
            json!({"n": "My Project", "l": ["a", "b"], "on": true, "off": false, "html": "<b>"});
        let cases = [
            ("{{snake_case n}}", "my_project"),
            ("{{kebab_case n}}", "my-project"),
            ("{{camel_case n}}", "myProject"),
            ("{{pascal_case n}}", "MyProject"),
            (
                "{{upper n}}|{{lower n}}|{{title 'hello world'}}",
                "MY PROJECT|my project|Hello World",
            ),
            (
                "{{when on 'yes'}}|{{when off 'yes'}}|{{when off 'a' 'b'}}",
                "yes||b",
            ),
            (
                "{{#if (eq n 'My Project')}}eq{{/if}}{{#if (and on (not off))}}+{{/if}}",
                "eq+",
            ),
            (
                "{{default missing 'fb'}}|{{default n 'fb'}}",
                "fb|My Project",
            ),
            ("{{replace n ' ' '_'}}", "My_Project"),
            ("{{regex_match n '^My'}}", "true"),
            (
                "{{join l ', '}}|{{len l}}|{{contains l 'b'}}",
                "a, b|2|true",
            ),
            ("{{trim '  x '}}", "x"),
            ("{{to_json l}}", "[\"a\",\"b\"]"),
            ("{{to_yaml l}}", "- a\n- b"),
            ("{{html}}", "<b>"),
        ];
        for (t, want) in cases {
            assert_eq!(render(t, d.clone()).unwrap(), want, "{t}");
        }
    }

    #[test]
    fn engines_sharing_compiled_templates_render_with_their_own_partials() {
        let compiled = Arc::new(Compiled::default());
        let text: Bytes = b"{{> greet}} {{name}}\n{{html}}".to_vec().into();
        let mut outputs = Vec::new();
        for (partial, name) in [("hello", "old"), ("hi", "new")] {
            let mut engine = Hbs::new();
            engine.add_partial("greet", partial, "p").unwrap();
            engine.share_compiled(compiled.clone());
            let ctx = Context::of(&json!({"name": name, "html": "<b>"})).unwrap();
            outputs.push(engine.render_file("f", &text, &ctx).unwrap());
        }
        assert_eq!(outputs, ["hello old\n<b>", "hi new\n<b>"]);
        assert_eq!(compiled.0.lock().unwrap().len(), 1, "compiled once");

        let engine = Hbs {
            compiled: Some(compiled),
            ..Hbs::new()
        };
        let ctx = Context::of(&json!({})).unwrap();
        let bad: Bytes = b"a\n{{#if}}".to_vec().into();
        let e = engine.render_file("f", &bad, &ctx).unwrap_err();
        assert_eq!(e.to_string(), "cannot render `f` at line 2");
        let missing: Bytes = b"a\nb\n{{nope}}".to_vec().into();
        let e = engine.render_file("f", &missing, &ctx).unwrap_err();
        assert_eq!(e.to_string(), "cannot render `f` at line 3");
    }

    #[test]
    fn unknown_variable_names_file_and_line() {
        let e = render("a\n{{nope}}", json!({})).unwrap_err();
        assert_eq!(e.to_string(), "cannot render `t` at line 2");
        assert_eq!(
            std::error::Error::source(&e).unwrap().to_string(),
            "unknown variable `nope`"
        );
    }

    /// The deepest nesting graft accepts renders on a thread with the
    /// stack of a rayon worker (2 MiB), even in a debug build.
    #[test]
    fn the_deepest_nesting_allowed_renders_on_a_worker_stack() {
        let blocks = |n: usize, inner: &str| {
            format!("{}{inner}{}", "{{#if a}}".repeat(n), "{{/if}}".repeat(n))
        };
        let half = MAX_NESTING / 2;
        let texts = [
            blocks(MAX_NESTING, "x"),
            blocks(half, "{{> p}}"),
            format!(
                "{{{{#each l}}}}{}{{{{/each}}}}",
                blocks(
                    half - 1,
                    &format!("{{{{and {}a{}}}}}", "(not ".repeat(half), ")".repeat(half))
                )
            ),
        ];
        let rendered = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                let mut engine = Hbs::new();
                engine
                    .add_partial("p", &blocks(half - 1, "{{a}}"), "p.hbs")
                    .unwrap();
                engine.check_partials().unwrap();
                let ctx = Context::of(&json!({"a": true, "l": [1]})).unwrap();
                texts
                    .iter()
                    .map(|t| engine.render("t", t, &ctx).map_err(|e| e.to_string()))
                    .collect::<Vec<_>>()
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(
            rendered,
            [
                Ok("x".to_string()),
                Ok("true".to_string()),
                Ok(String::new())
            ]
        );

        let e = render(&blocks(MAX_NESTING + 1, "x"), json!({"a": true})).unwrap_err();
        assert_eq!(e.to_string(), "cannot render `t` at line 1");
        assert_eq!(
            std::error::Error::source(&e).unwrap().to_string(),
            "blocks and subexpressions nest more than 128 levels deep"
        );
        let mut engine = Hbs::new();
        engine
            .add_partial("p", &blocks(half, "x"), "p.hbs")
            .unwrap();
        engine.check_partials().unwrap();
        let ctx = Context::of(&json!({"a": true})).unwrap();
        let e = engine
            .render("t", &format!("\n{}", blocks(half, "{{> p}}")), &ctx)
            .unwrap_err();
        assert_eq!(e.to_string(), "cannot render `t` at line 2");
        assert_eq!(
            std::error::Error::source(&e).unwrap().to_string(),
            "blocks, subexpressions and partials nest more than 128 levels deep (through partial `p`)"
        );
    }

    #[test]
    fn conditions() {
        let e = crate::render::Engine::new();
        let ctx = Context::of(&json!({"db": "none"})).unwrap();
        assert!(!e
            .condition(
                "t",
                &json!("{{#if (eq db 'none')}}false{{else}}true{{/if}}"),
                &ctx
            )
            .unwrap());
        assert!(e.condition("t", &json!("{{db}}"), &ctx).unwrap());
        assert!(!e.condition("t", &json!(false), &ctx).unwrap());
    }
}
