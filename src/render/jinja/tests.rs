//! The environment against Python: every expected string below is what
//! Jinja2 3.1.6 with jinja2_ansible_filters renders for the same
//! template, in the environment Copier 9.19.1 builds.

use super::*;

fn render(template: &str) -> String {
    let opts = JinjaOptions::default();
    let (env, warnings) = new_environment(&opts).expect("environment");
    assert!(warnings.is_empty());
    let source = preprocess(template, &opts);
    env.render_str(&source, ())
        .unwrap_or_else(|e| panic!("{template}: {e:#}"))
}

fn check(cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (template, want) in cases {
        let got = render(template);
        if &got != want {
            failures.push(format!("{template}\n  jinja2: {want:?}\n  graft:  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn jinja2_list_filters_match_python() {
    check(&[
        (
            r##"{{ ['b','A','a','B']|unique|list }}"##,
            r##"['b', 'A']"##,
        ),
        (
            r##"{{ ['b','A','a','B']|sort }}"##,
            r##"['A', 'a', 'b', 'B']"##,
        ),
        (
            r##"{% for g, items in [{'k':'x','v':1},{'k':'y','v':2},{'k':'x','v':3}]|groupby('k') %}{{ g }}={{ items|map(attribute='v')|join(',') }};{% endfor %}"##,
            r##"x=1,3;y=2;"##,
        ),
        (
            r##"{{ [1,2,3]|sum }}|{{ [{'a':1},{'a':2}]|sum(attribute='a') }}|{{ [1,2]|sum(start=10) }}"##,
            r##"6|3|13"##,
        ),
        (
            r##"{{ [1,2,3,4]|select('odd')|list }}|{{ [1,2,3,4]|reject('even')|list }}|{{ [1,2,3,4]|select('gt', 2)|list }}"##,
            r##"[1, 3]|[1, 3]|[3, 4]"##,
        ),
        (
            r##"{{ [{'a':1},{'b':2}]|map(attribute='a', default='z')|list }}"##,
            r##"[1, 'z']"##,
        ),
        (
            r##"{{ [1,2,3]|first }}|{{ [1,2,3]|last }}|{{ [3,1,2]|max }}|{{ ['b','A']|min }}"##,
            r##"1|3|3|A"##,
        ),
        (
            r##"{{ [1,2,3,4,5]|batch(2)|list }}|{{ [1,2,3,4,5]|slice(2)|list }}"##,
            r##"[[1, 2], [3, 4], [5]]|[[1, 2, 3], [4, 5]]"##,
        ),
        (
            r##"{{ [3,1,2]|sort(reverse=true) }}|{{ [{'a':2},{'a':1}]|sort(attribute='a') }}"##,
            r##"[3, 2, 1]|[{'a': 1}, {'a': 2}]"##,
        ),
        (
            r##"{{ range(3)|list }}|{{ range(1, 10, 3)|list }}"##,
            r##"[0, 1, 2]|[1, 4, 7]"##,
        ),
        (
            r##"{{ [1,2]|reverse|list }}|{{ "abc"|reverse }}"##,
            r##"[2, 1]|cba"##,
        ),
        (
            r##"{{ [1,2,3]|selectattr('real')|list if false else 'skip' }}"##,
            r##"skip"##,
        ),
        (
            r##"{{ [{'a':true,'n':1},{'a':false,'n':2}]|selectattr('a')|map(attribute='n')|list }}|{{ [{'a':true,'n':1},{'a':false,'n':2}]|rejectattr('a')|map(attribute='n')|list }}|{{ [{'n':1},{'n':2}]|selectattr('n', 'equalto', 2)|list }}"##,
            r##"[1]|[2]|[{'n': 2}]"##,
        ),
        (
            r##"{{ [1,2,3]|map('string')|join }}|{{ ["1","2"]|map('int')|sum }}"##,
            r##"123|3"##,
        ),
    ]);
}

#[test]
fn jinja2_dict_filters_match_python() {
    check(&[
        (
            r##"{{ {'b':1,'A':2,'a':3}|dictsort }}"##,
            r##"[('A', 2), ('a', 3), ('b', 1)]"##,
        ),
        (
            r##"{{ {'b':1,'A':2,'a':3}|dictsort(true) }}"##,
            r##"[('A', 2), ('a', 3), ('b', 1)]"##,
        ),
        (
            r##"{{ {'b':1,'A':2,'a':3}|dictsort(false, 'value') }}"##,
            r##"[('b', 1), ('A', 2), ('a', 3)]"##,
        ),
        (
            r##"{{ {'a':1,'b':2}|items|list }}"##,
            r##"[('a', 1), ('b', 2)]"##,
        ),
        (
            r##"{{ {'a':{'b':1}}|dictsort }}|{{ [('a',1)]|list }}"##,
            r##"[('a', {'b': 1})]|[('a', 1)]"##,
        ),
        (
            r##"{% for k, v in {'b': 1, 'a': 2}|dictsort %}{{ k }}={{ v }};{% endfor %}|{% for a, b in [('x', 1)] %}{{ a }}{{ b }}{% endfor %}"##,
            r##"a=2;b=1;|x1"##,
        ),
    ]);
}

#[test]
fn jinja2_text_filters_match_python() {
    check(&[
        (
            r##"{{ "a\nb\n\nc"|indent }}|{{ "a\nb\n\nc"|indent(2, true) }}|{{ "a\nb\n\nc"|indent(2, first=true, blank=true) }}"##,
            r##"a
    b

    c|  a
  b

  c|  a
  b
  
  c"##,
        ),
        (
            r##"{{ "hello-world's x1y (foo) [bar]"|title }}|{{ "hello-world's x1y"|capitalize }}"##,
            r##"Hello-World's X1y (Foo) [Bar]|Hello-world's x1y"##,
        ),
        (
            r##"{{ "  x  "|trim }}|{{ "xxaxx"|trim('x') }}"##,
            r##"x|a"##,
        ),
        (r##"{{ "aaa"|replace("a", "b", 2) }}"##, r##"bba"##),
        (
            r##"{{ ['a','b']|join('-') }}|{{ [1, true, none]|join(',') }}|{{ [{'n':'a'},{'n':'b'}]|join(',', attribute='n') }}"##,
            r##"a-b|1,True,None|a,b"##,
        ),
        (
            r##"{{ "abc"|length }}|{{ {'a':1}|length }}|{{ "abc"|count }}"##,
            r##"3|1|3"##,
        ),
        (
            r##"{{ "<a href='x'>&\"</a>"|e }}|{{ "<b>"|forceescape }}"##,
            r##"&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;|&lt;b&gt;"##,
        ),
        (
            r##"{{ {'class': 'x y', 'id': none, 'data-v': '<'}|xmlattr }}"##,
            r##" class="x y" data-v="&lt;""##,
        ),
        (
            r##"{{ "Hello World, this is a long sentence to truncate"|truncate(20) }}|{{ "Hello World"|truncate(5, true) }}|{{ "Hello World foo bar"|truncate(11, false, '..', 0) }}"##,
            r##"Hello World,...|He...|Hello.."##,
        ),
        (
            r##"{{ "abc"|center(9) }}|{{ "abcd"|center(9) }}|{{ "abc"|center(10) }}|"##,
            r##"   abc   |   abcd  |   abc    |"##,
        ),
        (
            r##"{{ 1000|filesizeformat }}|{{ 1|filesizeformat }}|{{ 100.5|filesizeformat }}|{{ 1024|filesizeformat(true) }}|{{ 1500000|filesizeformat }}"##,
            r##"1.0 kB|1 Byte|100 Bytes|1.0 KiB|1.5 MB"##,
        ),
        (
            r##"{{ "The quick brown fox jumps over the lazy dog and keeps on running until the end of the world here"|wordwrap(30) }}"##,
            r##"The quick brown fox jumps over
the lazy dog and keeps on
running until the end of the
world here"##,
        ),
        (r##"{{ "one two  three"|wordcount }}"##, r##"3"##),
    ]);
}

#[test]
fn jinja2_json_case_and_conversion_filters_match_python() {
    check(&[
        (
            r##"{{ "x"|tojson }}|{{ {'b': "<'&>", 'a': [1, 2.5, none, true]}|tojson }}|{{ {'a': 1}|tojson(2) }}"##,
            r##""x"|{"a": [1, 2.5, null, true], "b": "\u003c\u0027\u0026\u003e"}|{
  "a": 1
}"##,
        ),
        (
            r##"{{ "ab"|tojson }}|{{ none|tojson }}|{{ "é"|tojson }}"##,
            r##""ab"|null|"\u00e9""##,
        ),
        (
            r##"{{ [1,[2,[3]]]|list }}|{{ ["a","b"]|map("upper")|list }}|{{ "abc"|list }}|{{ "a"|string }}|{{ 1|string }}|{{ true|string }}"##,
            r##"[1, [2, [3]]]|['A', 'B']|['a', 'b', 'c']|a|1|True"##,
        ),
        (
            r##"{{ "Hello"|lower }}|{{ "hi"|upper }}|{{ 3|abs }}|{{ -3.5|abs }}"##,
            r##"hello|HI|3|3.5"##,
        ),
        (
            r##"{{ "ab-cd ef"|title }}|{{ "o'neil mc-donald"|title }}|{{ "AB cD"|capitalize }}|{{ "Ab"|swapcase if false else "x" }}"##,
            r##"Ab-Cd Ef|O'neil Mc-Donald|Ab cd|x"##,
        ),
    ]);
}

#[test]
fn values_and_numbers_print_as_python_does() {
    check(&[
        (
            r##"{{ 2.5|round }}|{{ 3.5|round }}|{{ 3|round }}|{{ 2.675|round(2) }}|{{ 2.1|round(method='ceil') }}|{{ -2.5|round }}"##,
            r##"2.0|4.0|3|2.67|3.0|-2.0"##,
        ),
        (
            r##"{{ none|default('d') }}|{{ ''|default('d') }}|{{ ''|default('d', true) }}|{{ undefined_x|default('u') }}"##,
            r##"None||d|u"##,
        ),
        (
            r##"{{ [1,'a',none,true,1.5] }}|{{ {'a': [1, {'b': none}]} }}|{{ true }}|{{ none }}|{{ 1e20 }}|{{ 1.0 }}|{{ 10/4 }}|{{ 10/5 }}|{{ 7//2 }}|{{ -7//2 }}|{{ -7 % 3 }}|{{ 2**10 }}|{{ 2**0.5 }}"##,
            r##"[1, 'a', None, True, 1.5]|{'a': [1, {'b': None}]}|True|None|1e+20|1.0|2.5|2.0|3|-4|2|1024|1.4142135623730951"##,
        ),
        (r##"{{ "x" ~ true ~ none ~ 1.0 }}"##, r##"xTrueNone1.0"##),
        (
            r##"{{ "3"|int + 1 }}|{{ "9.6"|int }}|{{ ""|int }}|{{ "0x1A"|int(base=16) }}|{{ "abc"|int(7) }}|{{ "1_000"|int }}|{{ " 12 "|int }}|{{ "1e3"|int }}|{{ true|int }}|{{ none|int }}|{{ 3.9|int }}|{{ "0b101"|int(base=0) }}|{{ "z"|int(base=36) }}"##,
            r##"4|9|0|26|7|1000|12|1000|1|0|3|5|35"##,
        ),
        (
            r##"{{ "3.5"|float }}|{{ ""|float }}|{{ "x"|float(1.5) }}|{{ "1_0.5"|float }}|{{ 3|float }}|{{ "inf"|float }}|{{ " 2 "|float }}"##,
            r##"3.5|0.0|1.5|10.5|3.0|inf|2.0"##,
        ),
        (r##"{{ "%s" }}|{{ "a\tb" }}"##, r##"%s|a	b"##),
        (
            r##"{{ "abc" ~ 1 ~ 2.0 }}|{{ 1 + 1.5 }}|{{ "a" + "b" }}|{{ "ab" * 2 }}|{{ [1] + [2] }}"##,
            r##"abc12.0|2.5|ab|abab|[1, 2]"##,
        ),
        (
            r##"{{ "1e3"|float }}|{{ 1e16 }}|{{ 0.1 + 0.2 }}|{{ 1/3 }}|{{ 2.0 * 3 }}|{{ (0.1)|round(1) }}|{{ 1e-7 }}"##,
            r##"1000.0|1e+16|0.30000000000000004|0.3333333333333333|6.0|0.1|1e-07"##,
        ),
    ]);
}

#[test]
fn jinja2_expressions_and_statements_match_python() {
    check(&[
        (
            r##"{{ 'abc' is sequence }}|{{ 'abc' is iterable }}|{{ {} is sequence }}|{{ 3 is number }}|{{ none is none }}"##,
            r##"True|True|True|True|True"##,
        ),
        (
            r##"{{ undefined_y }}|{{ undefined_y|upper }}|{{ undefined_y|length }}|{% for x in undefined_y %}x{% endfor %}|{{ undefined_y is defined }}"##,
            r##"||0||False"##,
        ),
        (
            r##"{{ {'a':1}.a }}|{{ {'a':1}.b }}|{{ {'a':1}['a'] }}"##,
            r##"1||1"##,
        ),
        (
            r##"{{ "abc"[1:] }}|{{ [1,2,3][::-1] }}|{{ "abc"[-1] }}"##,
            r##"bc|[3, 2, 1]|c"##,
        ),
        (
            r##"{{ 'a' in 'abc' }}|{{ 1 in [1] }}|{{ 'a' in {'a':1} }}"##,
            r##"True|True|True"##,
        ),
        (
            r##"{{ namespace(a=1).a }}|{{ dict(a=1) }}"##,
            r##"1|{'a': 1}"##,
        ),
        (
            r##"{% set ns = namespace(c=0) %}{% for i in range(3) %}{% set ns.c = ns.c + i %}{% endfor %}{{ ns.c }}"##,
            r##"3"##,
        ),
        (
            r##"{% for k, v in {'b': 1, 'a': 2}.items() %}{{ k }}{{ v }}{% endfor %}"##,
            r##"b1a2"##,
        ),
        (
            r##"{{ loop is defined }}|{% for i in [1,2] %}{{ loop.index }}{{ loop.first }}{{ loop.length }}{{ loop.revindex }}{{ loop.cycle('a','b') }}{% endfor %}"##,
            r##"False|1True22a2False21b"##,
        ),
        (
            r##"{% filter upper %}abc{% endfilter %}|{% with x = 1 %}{{ x }}{% endwith %}"##,
            r##"ABC|1"##,
        ),
    ]);
}

#[test]
fn str_methods_match_python() {
    check(&[
        (
            r##"{{ "a,b,c".split(",") }}|{{ "a b c".rsplit(" ", 1) }}|{{ "hello-world's x1y".title() }}|{{ "a-b".upper() }}"##,
            r##"['a', 'b', 'c']|['a b', 'c']|Hello-World'S X1Y|A-B"##,
        ),
        (
            r##"{{ 'abc'.startswith('a') }}|{{ 'a b'.split() }}|{{ '  a '.strip() }}|{{ 'abc'.replace('b','x') }}|{{ 'a{}c'.format('b') }}|{{ 'abc'.endswith(('c','d')) }}|{{ 'AbC'.swapcase() }}|{{ 'abc'.center(7, '*') }}|{{ 'abc'.ljust(5, '.') }}|{{ 'abc'.rjust(5) }}|{{ '5'.zfill(3) }}|{{ 'a,b'.partition(',') }}|{{ 'abc'.index('b') }}|{{ 'ab'.casefold() }}|{{ 'a_b'.isidentifier() }}|{{ 'x.y.z'.rpartition('.') }}|{{ 'abc'.removeprefix('a') }}|{{ 'abc'.removesuffix('c') }}|{{ 'Ab'.istitle() }}|{{ '1,2'.split(',', 1) }}|{{ 'a\tb'.expandtabs(4) }}"##,
            r##"True|['a', 'b']|a|axc|abc|True|aBc|**abc**|abc..|  abc|005|('a', ',', 'b')|1|ab|True|('x.y', '.', 'z')|bc|ab|True|['1', '2']|a   b"##,
        ),
    ]);
}

#[test]
fn percent_formatting_matches_python() {
    check(&[
        (r##"{{ "%s-%d"|format("a", 3) }}"##, r##"a-3"##),
        (
            r##"{{ "%s-%s" % ("a", 1) }}|{{ '%05.2f' % 3.14159 }}|{{ "%(n)s!" % {'n': 'x'} }}|{{ "v%d" % 3 ~ "!" }}|{% set y = "%s/%s" % ("a", "b") %}{{ y }}|{{ "%s" % [1, 2] }}|{{ "%s" % none }}|{{ "%r" % "q" }}|{{ "%s=%s" % ('k', true) }}"##,
            r##"a-1|03.14|x!|v3!|a/b|[1, 2]|None|'q'|k=True"##,
        ),
    ]);
}

#[test]
fn ansible_serialisation_filters_match_python() {
    check(&[
        (
            r##"{{ "hello"|b64encode }}|{{ "aGVsbG8="|b64decode }}|{{ "é✓"|b64encode }}|{{ "graft"|to_uuid }}"##,
            r##"aGVsbG8=|hello|w6ninJM=|f4f30eee-ff23-5696-b500-cc767daaccff"##,
        ),
        (
            r##"{{ {'b': [1, 2.5, none], 'a': "é<"}|to_json }}|{{ {'b': 1, 'a': [1, {}]}|to_nice_json }}|{{ {'b': 1, 'a': 2}|to_json(sort_keys=true, indent=2) }}|{{ [1,2]|to_nice_json(indent=2) }}"##,
            r##"{"b": [1, 2.5, null], "a": "\u00e9<"}|{
    "a": [
        1,
        {}
    ],
    "b": 1
}|{
  "a": 2,
  "b": 1
}|[
  1,
  2
]"##,
        ),
        (
            r##"{{ {'b': 1, 'a': ['x', 'yes', '']}|to_nice_yaml }}|{{ {'b': 1, 'a': ['x', 'yes']}|to_yaml }}|{{ {'a': {'b': [1]}}|to_nice_yaml(indent=2) }}|{{ {'k': 'v'*50}|to_yaml(width=40) }}"##,
            r##"a:
- x
- 'yes'
- ''
b: 1
|a: [x, 'yes']
b: 1
|a:
  b:
  - 1
|{k: vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv}
"##,
        ),
        (
            r##"{{ ('{"a": [1, "x", null, true, 1.5]}'|from_json).a }}|{{ ('a: 1\nb: [x, yes, 0755, 1.5, ~]'|from_yaml).b }}|{{ ('---\na: 1\n---\nb: 2\n'|from_yaml_all)|list }}"##,
            r##"[1, 'x', None, True, 1.5]|['x', True, 493, 1.5, None]|[{'a': 1}, {'b': 2}]"##,
        ),
    ]);
}

#[test]
fn ansible_text_and_regex_filters_match_python() {
    check(&[
        (
            r##"{{ '/a/b/c.txt'|basename }}|{{ '/a/b/c.txt'|dirname }}|{{ 'a/b/'|basename }}|{{ '/a//'|dirname }}|{{ 'c.tar.gz'|splitext }}|{{ '.bashrc'|splitext }}|{{ 'C:\\x\\y.txt'|win_basename }}|{{ 'C:\\x\\y.txt'|win_dirname }}|{{ 'C:\\x\\y.txt'|win_splitdrive }}"##,
            r##"c.txt|/a/b||/a|('c.tar', '.gz')|('.bashrc', '')|y.txt|C:\x|('C:', '\\x\\y.txt')"##,
        ),
        (
            r##"{{ 'yes'|bool }}|{{ 'No'|bool }}|{{ 1|bool }}|{{ 'true'|bool }}|{{ none|bool }}|{{ 'on'|bool }}|{{ 0|bool }}|{{ '1'|bool }}"##,
            r##"True|False|True|True|None|True|False|True"##,
        ),
        (
            r##"{{ "it's a test"|quote }}|{{ "safe-word_1.txt"|quote }}|{{ ""|quote }}|{{ "a b"|quote }}"##,
            r##"'it'"'"'s a test'|safe-word_1.txt|''|'a b'"##,
        ),
        (
            r##"{{ "graft"|md5 }}|{{ "graft"|sha1 }}|{{ "graft"|checksum }}|{{ "graft"|hash('sha256') }}|{{ "graft"|hash('md5') }}|{{ "graft"|hash('nope') }}"##,
            r##"679c24daf01ac4fd24e97b504fbbb23a|9c298007ec968fa5b8de22a5356f4bd8a865daf2|9c298007ec968fa5b8de22a5356f4bd8a865daf2|4e762e9903eed0ed41a9b676875a95449b69097ec8749d88003469458defbb4d|679c24daf01ac4fd24e97b504fbbb23a|None"##,
        ),
        (
            r##"{{ "Hello World"|regex_replace('o', '0') }}|{{ "ab-cd"|regex_replace('(\\w+)-(\\w+)', '\\2_\\1') }}|{{ "AbC"|regex_replace('b', 'x', ignorecase=true) }}|{{ "a.b*c"|regex_escape }}|{{ "a.b*c"|regex_escape('posix_basic') }}"##,
            r##"Hell0 W0rld|cd_ab|AxC|a\.b\*c|a\.b\*c"##,
        ),
        (
            r##"{{ "foo123bar"|regex_search('[0-9]+') }}|{{ "foo123bar"|regex_search('(o+)(\\d+)', '\\2', '\\1') }}|{{ "foo"|regex_search('x') }}|{{ "a1b22c333"|regex_findall('\\d+') }}|{{ "k1=v1 k2=v2"|regex_findall('(\\w+)=(\\w+)') }}|{{ "ab"|regex_search('(?P<x>b)', '\\g<x>') }}"##,
            r##"123|['123', 'oo']|None|['1', '22', '333']|[('k1', 'v1'), ('k2', 'v2')]|['b']"##,
        ),
        (
            // Python's lookaround and backreferences, which Rust's regex lacks.
            r##"{{ "foo-bar"|regex_search('o(?=-)') }}|{{ "aa bb cd"|regex_findall('(\\w)\\1') }}|{{ "price: 100USD"|regex_replace('(?<=: )\\d+', 'N') }}|{{ "ada-"|regex_search('^[a-z](?:[a-z]|-(?=[a-z])){0,38}$') }}"##,
            r##"o|['a', 'b']|price: NUSD|None"##,
        ),
        (
            r##"{{ true|ternary('y', 'n') }}|{{ none|ternary('y', 'n', 'z') }}|{{ 0|ternary('y', 'n') }}"##,
            r##"y|z|n"##,
        ),
        (
            r##"{{ "a\nb"|comment }}|{{ "a\nb"|comment('c') }}|{{ "a\nb"|comment('cblock') }}|{{ "x"|comment('xml') }}|{{ "x"|comment(decoration='; ') }}|{{ "a\n\nb"|comment('erlang') }}"##,
            r##"#
# a
# b
#|//
// a
// b
//|/*
 *
 * a
 * b
 *
 */|<!--
 -
 - x
 -
-->|;
; x
;|%
% a
%
% b
%"##,
        ),
        (
            r##"{{ "x"|type_debug }}|{{ 1|type_debug }}|{{ 1.5|type_debug }}|{{ none|type_debug }}|{{ [1]|type_debug }}|{{ {}|type_debug }}|{{ true|type_debug }}"##,
            r##"str|int|float|NoneType|list|dict|bool"##,
        ),
    ]);
}

#[test]
fn ansible_collection_filters_match_python() {
    check(&[
        (
            r##"{{ {'a': 1, 'b': {'x': 1}}|combine({'b': {'y': 2}, 'c': 3}) }}|{{ {'a': 1, 'b': {'x': 1}}|combine({'b': {'y': 2}}, recursive=true) }}|{{ [{'a': 1}, {'a': 2, 'b': 3}]|combine }}|{{ {'l': [1, 2]}|combine({'l': [2, 3]}, list_merge='append_rp') }}|{{ {'l': [1, 2]}|combine({'l': [2, 3]}, list_merge='prepend') }}"##,
            r##"{'a': 1, 'b': {'y': 2}, 'c': 3}|{'a': 1, 'b': {'x': 1, 'y': 2}}|{'a': 2, 'b': 3}|{'l': [1, 2, 3]}|{'l': [2, 3, 1, 2]}"##,
        ),
        (
            r##"{{ 1|extract(['a', 'b']) }}|{{ 'x'|extract({'x': {'y': 5}}, 'y') }}|{{ [[1, [2]], [3, none, 4]]|flatten }}|{{ [[1, [2]], [3]]|flatten(levels=1) }}"##,
            r##"b|5|[1, 2, 3]|[1, [2], 3]"##,
        ),
        (
            r##"{{ [{'n': 'a', 'g': ['x', 'y']}]|subelements('g') }}"##,
            r##"[({'n': 'a', 'g': ['x', 'y']}, 'x'), ({'n': 'a', 'g': ['x', 'y']}, 'y')]"##,
        ),
        (
            r##"{{ [{'k':'x','v':1},{'k':'y','v':2},{'k':'x','v':3}]|ans_groupby('k') }}"##,
            r##"[('x', [{'k': 'x', 'v': 1}, {'k': 'x', 'v': 3}]), ('y', [{'k': 'y', 'v': 2}])]"##,
        ),
        (
            r##"{{ "present"|mandatory }}|{{ 5|ans_random(start=5, step=1) if false else 'r' }}|{{ [1]|shuffle }}"##,
            r##"present|r|[1]"##,
        ),
    ]);
}

fn env_with(envops: serde_json::Value, trusted: bool) -> (Environment<'static>, JinjaOptions) {
    let opts = JinjaOptions {
        envops: envops.as_object().cloned().unwrap_or_default(),
        extensions: Vec::new(),
        trusted,
    };
    let (env, _) = new_environment(&opts).expect("environment");
    (env, opts)
}

fn render_with(
    env: &Environment<'static>,
    opts: &JinjaOptions,
    template: &str,
) -> Result<String, minijinja::Error> {
    let source = preprocess(template, opts);
    env.render_str(
        &source,
        minijinja::context! { name => "graft", flag => true },
    )
}

#[test]
fn undefined_values_behave_as_jinja2_undefined() {
    let (env, opts) = env_with(serde_json::json!({}), false);
    let ok = |t: &str| render_with(&env, &opts, t).unwrap();
    assert_eq!(
        ok("{{ missing }}|{{ missing|upper }}|{{ missing ~ 'a' }}|{{ none.attr }}"),
        "||a|"
    );
    assert_eq!(
        ok("{{ missing is defined }}{% for i in missing %}x{% endfor %}"),
        "False"
    );
    let err = render_with(&env, &opts, "{{ missing.attr }}").unwrap_err();
    assert_eq!(err.kind(), minijinja::ErrorKind::UndefinedError);
    assert_eq!(err.line(), Some(1));

    let (env, opts) = env_with(
        serde_json::json!({"undefined": "jinja2.StrictUndefined"}),
        false,
    );
    assert!(render_with(&env, &opts, "{{ missing }}").is_err());
    assert!(render_with(&env, &opts, "{% if missing %}y{% endif %}").is_err());
    assert_eq!(
        render_with(&env, &opts, "{{ missing is defined }}").unwrap(),
        "False"
    );
}

#[test]
fn unknown_filters_fail_naming_the_filter() {
    let (env, opts) = env_with(serde_json::json!({}), false);
    let err = render_with(&env, &opts, "line\n{{ name|nosuchfilter }}").unwrap_err();
    assert_eq!(err.kind(), minijinja::ErrorKind::UnknownFilter);
    assert!(err.to_string().contains("nosuchfilter"), "{err}");
    assert_eq!(err.line(), Some(2));
}

#[test]
fn envops_set_delimiters_and_whitespace() {
    // Copier keeps trailing newlines unless told otherwise.
    let (env, opts) = env_with(serde_json::json!({}), false);
    assert_eq!(render_with(&env, &opts, "{{ name }}\n").unwrap(), "graft\n");
    let (env, opts) = env_with(serde_json::json!({"keep_trailing_newline": false}), false);
    assert_eq!(render_with(&env, &opts, "{{ name }}\n").unwrap(), "graft");

    let (env, opts) = env_with(
        serde_json::json!({"trim_blocks": true, "lstrip_blocks": true}),
        false,
    );
    assert_eq!(
        render_with(
            &env,
            &opts,
            "  {% if flag %}\nyes\n  {% now 'utc', 'x' %}\n{% endif %}\n"
        )
        .unwrap(),
        "yes\nx"
    );

    let (env, opts) = env_with(
        serde_json::json!({
            "block_start_string": "[%", "block_end_string": "%]",
            "variable_start_string": "[[", "variable_end_string": "]]",
            "comment_start_string": "[#", "comment_end_string": "#]",
        }),
        false,
    );
    assert_eq!(
        render_with(
            &env,
            &opts,
            "[% if flag %][[ '%s!' % name ]][% endif %][# c #]{{ x }}"
        )
        .unwrap(),
        "graft!{{ x }}"
    );

    let bad = JinjaOptions {
        envops: serde_json::json!({"trim_blocks": "yes"})
            .as_object()
            .cloned()
            .unwrap(),
        ..JinjaOptions::default()
    };
    assert!(new_environment(&bad).is_err());
    let unknown = JinjaOptions {
        envops: serde_json::json!({"frobnicate": 1})
            .as_object()
            .cloned()
            .unwrap(),
        ..JinjaOptions::default()
    };
    assert_eq!(
        new_environment(&unknown).err().unwrap(),
        "`_envops` has an unknown setting `frobnicate`"
    );
}

#[test]
fn now_tag_and_function_render_the_date() {
    let (env, opts) = env_with(serde_json::json!({}), false);
    let year = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .year()
        .to_string();
    assert_eq!(
        render_with(&env, &opts, "{% now 'utc', '%Y' %}").unwrap(),
        year
    );
    assert_eq!(
        render_with(&env, &opts, "{{ now('utc', '%Y') }}").unwrap(),
        year
    );
    assert_eq!(
        render_with(&env, &opts, "{{ current_year }}").unwrap(),
        year
    );
    let date = render_with(&env, &opts, "{% now 'utc' %}").unwrap();
    assert_eq!(date.len(), "2024-01-01".len());
    let shifted = render_with(&env, &opts, "{% now 'utc' - 'years=1', '%Y' %}").unwrap();
    assert_eq!(
        shifted.parse::<i32>().unwrap() + 1,
        year.parse::<i32>().unwrap()
    );
}

#[test]
fn shell_runs_only_for_trusted_templates() {
    let (env, opts) = env_with(serde_json::json!({}), false);
    let err = render_with(&env, &opts, "{{ 'echo hi'|shell }}").unwrap_err();
    assert!(err.to_string().contains("`shell`"), "{err}");
    assert!(err.to_string().contains("--trust"), "{err}");
    let (env, opts) = env_with(serde_json::json!({}), true);
    assert_eq!(
        render_with(&env, &opts, "{{ 'echo hi'|shell }}").unwrap(),
        "hi\n"
    );
    // Like jinja2_shell_extension: stderr joins stdout, and `|| exit 0`
    // forgives the last command's failure unless die_on_error.
    assert_eq!(
        render_with(&env, &opts, "{{ 'echo err >&2; false'|shell }}").unwrap(),
        "err\n"
    );
    assert!(render_with(&env, &opts, "{{ 'echo x; exit 3'|shell }}").is_err());
    assert!(render_with(&env, &opts, "{{ 'false'|shell(true) }}").is_err());
}

#[test]
fn declared_extensions_map_to_builtins_or_warn() {
    let opts = JinjaOptions {
        extensions: vec![
            "jinja2_time.TimeExtension".into(),
            "cookiecutter.extensions.SlugifyExtension".into(),
            "copier_templates_extensions.TemplateExtensionLoader".into(),
            "extensions/context.py:ContextUpdater".into(),
        ],
        ..JinjaOptions::default()
    };
    let (env, warnings) = new_environment(&opts).unwrap();
    assert_eq!(
        warnings,
        vec!["graft cannot run the template's Python extension `extensions/context.py:ContextUpdater`; filters it defines will be missing".to_owned()]
    );
    assert_eq!(
        env.render_str(
            "{{ 'Hello World'|slugify }} {{ {'b': 1, 'a': [1]}|jsonify }}",
            ()
        )
        .unwrap(),
        "hello-world {\n    \"a\": [\n        1\n    ],\n    \"b\": 1\n}"
    );
    let uuid = env
        .render_str("{{ uuid4() }}|{{ random_ascii_string(12) }}", ())
        .unwrap();
    assert_eq!(uuid.len(), 36 + 1 + 12);
    assert_eq!(uuid.as_bytes()[14], b'4');
}

#[test]
fn python_string_methods() {
    let (env, opts) = env_with(serde_json::json!({}), false);
    assert_eq!(
        render_with(&env, &opts, "{{ \"hello-world's x1y\".title() }}|{{ 'a.b.c'.rsplit('.', 1) }}|{{ 'a b  c'.rsplit() }}|{{ 'x'.zfill(3) }}").unwrap(),
        "Hello-World'S X1Y|['a.b', 'c']|['a', 'b', 'c']|00x"
    );
}

#[test]
fn lists_and_dicts_changed_in_place_fail_as_python_fails() {
    let (env, opts) = env_with(serde_json::json!({}), false);
    let err = |t: &str| render_with(&env, &opts, t).unwrap_err().to_string();
    for (template, python) in [
        ("{% set l = [] %}{{ l.pop() }}", "pop from empty list"),
        ("{% set l = [1] %}{{ l.pop(3) }}", "pop index out of range"),
        (
            "{% set l = [1] %}{{ l.remove(2) }}",
            "list.remove(x): x not in list",
        ),
        ("{% set d = {} %}{{ d.pop('k') }}", "KeyError: 'k'"),
        (
            "{% set d = {} %}{{ d.popitem() }}",
            "KeyError: 'popitem(): dictionary is empty'",
        ),
        (
            "{% set d = {} %}{{ d.update([(1, 2, 3)]) }}",
            "dictionary update sequence element (1, 2, 3) has length 3; 2 is required",
        ),
    ] {
        let message = err(template);
        assert!(message.contains(python), "{template}: {message}");
    }
    // Changing a value the file did not assign to that name says why it
    // cannot, naming the method.
    let message = err("line\n{% set ns = namespace(l=[]) %}{% do ns.l.append(1) %}");
    assert!(
        message.contains("`append()` changes a list in place, which graft can do only for a list this file assigns with `{% set NAME = ... %}`"),
        "{message}"
    );
    assert!(err("{% do name.update(1) %}").contains("unknown method"));
}

#[test]
fn a_copy_is_a_new_list_or_dict() {
    check(&[
        (
            r##"{{ [1, 2].copy() }}|{{ {'a': 1}.copy() }}|{{ 'a-b'.split('-').copy() }}"##,
            r##"[1, 2]|{'a': 1}|['a', 'b']"##,
        ),
        (
            r##"{% set a = [1] %}{% set b = a.copy() %}{% do b.append(2) %}{{ a }}|{{ b }}"##,
            r##"[1]|[1, 2]"##,
        ),
        (
            r##"{% set a = {'k': 1} %}{% set b = a.copy() %}{% do b.update(j=2) %}{{ a }}|{{ b }}"##,
            r##"{'k': 1}|{'k': 1, 'j': 2}"##,
        ),
    ]);
}
