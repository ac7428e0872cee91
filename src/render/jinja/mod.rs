//! Jinja set up as Python Copier sets up Jinja2 (stand-in until the full
//! filter library lands).

use std::borrow::Cow;

pub struct JinjaOptions {
    pub envops: serde_json::Map<String, serde_json::Value>,
    pub extensions: Vec<String>,
    pub trusted: bool,
}

pub fn new_environment(
    opts: &JinjaOptions,
) -> Result<(minijinja::Environment<'static>, Vec<String>), String> {
    let mut env = minijinja::Environment::new();
    let flag = |k: &str, d: bool| opts.envops.get(k).and_then(|v| v.as_bool()).unwrap_or(d);
    let mut syntax = minijinja::syntax::SyntaxConfig::builder();
    syntax
        .keep_trailing_newline(flag("keep_trailing_newline", true))
        .trim_blocks(flag("trim_blocks", false))
        .lstrip_blocks(flag("lstrip_blocks", false));
    env.set_syntax(syntax.build().map_err(|e| e.to_string())?);
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    Ok((env, Vec::new()))
}

pub fn preprocess<'a>(text: &'a str, _opts: &JinjaOptions) -> Cow<'a, str> {
    Cow::Borrowed(text)
}
