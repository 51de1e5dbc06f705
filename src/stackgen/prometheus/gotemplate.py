"""Go's `text/template` parser (Go 1.19, as Prometheus 2.42 is built with), for the parse-time
errors only: what `promtool check rules` refuses in an alert's labels and annotations. It lexes
and parses the text as Go does (trim markers, comments, strings, numbers, pipelines,
declarations and their scopes, `if`/`else if`/`range`/`with`/`define`/`block`/`template`,
`break` and `continue`), with Prometheus's template functions and the variables Prometheus
declares before an alert's template ($labels, $externalLabels, $externalURL, $value). Nothing
is executed."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import NamedTuple

# Functions of Prometheus 2.42's alert templates (template/template.go) and Go's built-ins.
PROMETHEUS_FUNCTIONS = frozenset(
    (
        "args", "externalURL", "first", "graphLink", "humanize", "humanize1024",
        "humanizeDuration", "humanizePercentage", "humanizeTimestamp", "label", "match",
        "parseDuration", "pathPrefix", "query", "reReplaceAll", "safeHtml", "sortByLabel",
        "stripDomain", "stripPort", "strvalue", "tableLink", "title", "toLower", "toTime",
        "toUpper", "value",
    )
)  # fmt: skip
GO_BUILTINS = frozenset(
    (
        "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
        "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
    )
)  # fmt: skip
FUNCTIONS = PROMETHEUS_FUNCTIONS | GO_BUILTINS
KEYWORDS = frozenset(
    (
        "block", "break", "continue", "define", "else", "end", "if", "nil", "range", "template",
        "with",
    )
)  # fmt: skip
# What rulefmt puts before every alert template it test-parses.
PROMETHEUS_DECLARED = ("$labels", "$externalLabels", "$externalURL", "$value")

_SPACE = " \t\r\n"
# Tokens that start an operand of a command.
_OPERANDS = frozenset(
    (
        "bool", "charconst", "complex", "dot", "field", "identifier", "number", "nil", "raw",
        "string", "variable", "(",
    )
)  # fmt: skip
# Operand kinds that cannot start a later stage of a pipeline.
_NOT_EXECUTABLE = frozenset(("bool", "dot", "nil", "number", "string"))


class TemplateError(ValueError):
    """What Go's parser says, and where in the text (1-based line)."""


class _Token(NamedTuple):  # a tuple: made for every token, cheaper than a dataclass
    kind: str
    value: str
    pos: int

    def __str__(self) -> str:
        if self.kind == "eof":
            return "EOF"
        if self.kind in KEYWORDS or self.kind == "dot":
            return f"<{self.value}>"
        shown = self.value if len(self.value) <= 10 else self.value[:10] + "..."
        return '"' + shown.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _is_alnum(char: str) -> bool:
    return char == "_" or char.isalpha() or char.isdigit()


_ASCII_WORD = re.compile(r"[A-Za-z0-9_]*")


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text, self.pos, self.start = text, 0, 0
        self.tokens: list[_Token] = []

    def fail(self, message: str) -> TemplateError:
        return TemplateError(_at(self.text, self.start, message))

    def char(self, offset: int = 0) -> str:
        return self.text[self.pos + offset : self.pos + offset + 1]

    def emit(self, kind: str) -> None:
        self.tokens.append(_Token(kind, self.text[self.start : self.pos], self.start))
        self.start = self.pos

    def at_right_delim(self, pos: int) -> tuple[bool, bool]:
        """At `}}` (True, False) or ` -}}` (True, True)?"""
        text = self.text
        if text[pos : pos + 1] and text[pos] in _SPACE and text.startswith("-}}", pos + 1):
            return True, True
        return text.startswith("}}", pos), False

    def run(self) -> list[_Token]:
        text = self.text
        while True:
            found = text.find("{{", self.pos)
            if found < 0:
                self.pos = len(text)
                if self.pos > self.start:
                    self.emit("text")
                self.emit("eof")
                return self.tokens
            self.pos = found
            if self.pos > self.start:
                self.emit("text")
            self.pos += 2
            trim = 2 if self.char() == "-" and self.char(1) and self.char(1) in _SPACE else 0
            if text.startswith("/*", self.pos + trim):
                self.comment(trim)
                continue
            self.emit("{{")
            self.pos += trim
            self.start = self.pos
            self.action()

    def comment(self, trim: int) -> None:
        self.pos += trim + 2
        end = self.text.find("*/", self.pos)
        if end < 0:
            raise self.fail("unclosed comment")
        self.pos = end + 2
        delim, trimmed = self.at_right_delim(self.pos)
        if not delim:
            raise self.fail("comment ends before closing delimiter")
        self.pos += (2 if trimmed else 0) + 2
        self.start = self.pos

    def action(self) -> None:
        depth = 0
        while True:
            delim, trimmed = self.at_right_delim(self.pos)
            if delim:
                if depth:
                    raise self.fail("unclosed left paren")
                self.right_delim(trimmed)
                return
            char = self.char()
            self.pos += 1
            if not char:
                raise self.fail("unclosed action")
            if char in _SPACE:
                if self.space():
                    self.right_delim(True)
                    return
            elif char == "=":
                self.emit("=")
            elif char == ":":
                if self.char() != "=":
                    raise self.fail("expected :=")
                self.pos += 1
                self.emit(":=")
            elif char == "|":
                self.emit("|")
            elif char == '"':
                self.quoted('"', "string", "unterminated quoted string")
            elif char == "`":
                end = self.text.find("`", self.pos)
                if end < 0:
                    raise self.fail("unterminated raw quoted string")
                self.pos = end + 1
                self.emit("raw")
            elif char == "$":
                self.field_or_variable("variable")
            elif char == "'":
                self.quoted("'", "charconst", "unterminated character constant")
            elif char == "." and self.char() and not "0" <= self.char() <= "9":
                self.field_or_variable("field")
            elif char in "+-." or "0" <= char <= "9":
                self.pos -= 1
                self.number()
            elif _is_alnum(char):
                self.identifier()
            elif char == "(":
                self.emit("(")
                depth += 1
            elif char == ")":
                self.emit(")")
                depth -= 1
                if depth < 0:
                    raise self.fail("unexpected right paren U+0029 ')'")
            elif char.isascii() and char.isprintable():
                self.emit("char")
            else:
                raise self.fail(f"unrecognized character in action: {char!r}")

    def right_delim(self, trimmed: bool) -> None:
        self.pos += (2 if trimmed else 0) + 2
        self.emit("}}")

    def space(self) -> bool:
        """A run of spaces; True when it was the one space of a ` -}}`."""
        count = 1
        while self.char() and self.char() in _SPACE:
            self.pos += 1
            count += 1
        if self.text.startswith("-}}", self.pos):
            self.pos -= 1  # the space belongs to the trim marker
            if count == 1:
                self.start = self.pos
                return True
        self.emit("space")
        return False

    def quoted(self, quote: str, kind: str, unterminated: str) -> None:
        while True:
            char = self.char()
            self.pos += 1
            if char == "\\":
                after = self.char()
                self.pos += 1
                if after and after != "\n":
                    continue
                raise self.fail(unterminated)
            if not char or char == "\n":
                raise self.fail(unterminated)
            if char == quote:
                break
        self.emit(kind)

    def at_terminator(self) -> bool:
        char = self.char()
        return not char or char in _SPACE or char in ".,|:)(}"

    def word(self) -> None:
        """Past a run of letters, digits and `_` (ASCII at once, then one by one)."""
        self.pos = _ASCII_WORD.match(self.text, self.pos).end()  # type: ignore[union-attr]
        while self.char() and _is_alnum(self.char()):
            self.pos += 1

    def field_or_variable(self, kind: str) -> None:
        if self.at_terminator():
            self.emit("variable" if kind == "variable" else "dot")
            return
        self.word()
        if not self.at_terminator():
            raise self.fail(f"bad character {self.char()!r}")
        self.emit(kind)

    def identifier(self) -> None:
        self.word()
        if not self.at_terminator():
            raise self.fail(f"bad character {self.char()!r}")
        word = self.text[self.start : self.pos]
        if word in KEYWORDS:
            self.emit(word)
        elif word in ("true", "false"):
            self.emit("bool")
        else:
            self.emit("identifier")

    def scan_number(self) -> bool:
        if self.char() in ("+", "-") and self.char():
            self.pos += 1
        digits = "0123456789_"
        exponent = "eE"
        if self.char() == "0":
            self.pos += 1
            prefix = self.char().lower()
            if prefix and prefix in "xob":
                self.pos += 1
                digits = {"x": "0123456789abcdefABCDEF_", "o": "01234567_", "b": "01_"}[prefix]
                exponent = "pP" if prefix == "x" else ""
        self.run_of(digits)
        if self.char() == ".":
            self.pos += 1
            self.run_of(digits)
        if exponent and self.char() and self.char() in exponent:
            self.pos += 1
            if self.char() in ("+", "-") and self.char():
                self.pos += 1
            self.run_of("0123456789_")
        if self.char() == "i":
            self.pos += 1
        if self.char() and _is_alnum(self.char()):
            self.pos += 1
            return False
        return True

    def run_of(self, chars: str) -> None:
        while self.char() and self.char() in chars:
            self.pos += 1

    def number(self) -> None:
        if not self.scan_number():
            raise self.fail(f"bad number syntax: {self.text[self.start : self.pos]!r}")
        if self.char() in ("+", "-") and self.char():
            if not self.scan_number() or self.text[self.pos - 1] != "i":
                raise self.fail(f"bad number syntax: {self.text[self.start : self.pos]!r}")
            self.emit("complex")
        else:
            self.emit("number")


def _at(text: str, pos: int, message: str) -> str:
    return f"line {text.count(chr(10), 0, pos) + 1}: {message}"


# Go's integer and float literals as strconv.ParseInt/ParseUint/ParseFloat (base 0) take them.
_DIGITS = r"[0-9](?:_?[0-9])*"
_INT = re.compile(
    r"[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|0(?:_?[0-7])*|"
    r"[1-9](?:_?[0-9])*)"
)
_FLOAT = re.compile(
    rf"[+-]?(?:(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?|"
    r"0[xX](?:_?[0-9a-fA-F])*(?:\.(?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?)?[pP][+-]?[0-9]+)"
)
_ESCAPES = "abfnrtv\\"


def _int_ok(text: str) -> bool:
    if not _INT.fullmatch(text):
        return False
    value = int(text.replace("_", ""), 8 if re.fullmatch(r"[+-]?0[0-7_]+", text) else 0)
    return -(2**63) <= value < 2**64


def _float_ok(text: str) -> bool:
    if not _FLOAT.fullmatch(text):
        return False
    body = text.replace("_", "")
    value = float.fromhex(body) if "x" in body.lower() else float(body)
    return not math.isinf(value)


def _number_error(token: _Token) -> str | None:
    text = token.value
    if token.kind == "charconst":
        return None if _unquote(text, "'") is not None else f"malformed character constant: {text}"
    if token.kind == "complex":
        parts = re.fullmatch(r"([+-]?[^+-]+(?:[eEpP][+-][^+-]+)?)([+-].+)i", text)
        ok = parts is not None and _float_ok(parts.group(1)) and _float_ok(parts.group(2))
        return None if ok else f"illegal number syntax: {text!r}"
    if text.endswith("i") and _float_ok(text[:-1]):
        return None
    if _int_ok(text):
        return None
    if _float_ok(text):
        return None if any(c in text for c in ".eEpP") else f"integer overflow: {text!r}"
    return f"illegal number syntax: {text!r}"


def _unquote(token: str, quote: str) -> str | None:
    """Go's strconv.Unquote of a "string" or 'c' (None: invalid)."""
    body, out, index = token[1:-1], [], 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            if char == quote:
                return None
            out.append(char)
            index += 1
            continue
        kind = body[index + 1 : index + 2]
        if kind in _ESCAPES or kind == quote:
            out.append(kind)
            index += 2
        elif kind in ("x", "u", "U"):
            size = {"x": 2, "u": 4, "U": 8}[kind]
            digits = body[index + 2 : index + 2 + size]
            if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
                return None
            value = int(digits, 16)
            if kind != "x" and (value > 0x10FFFF or 0xD800 <= value < 0xE000):
                return None
            out.append(chr(value) if kind != "x" else "?")
            index += 2 + size
        elif kind and kind in "01234567":
            digits = body[index + 1 : index + 4]
            if len(digits) != 3 or not all(c in "01234567" for c in digits) or int(digits, 8) > 255:
                return None
            out.append("?")
            index += 4
        else:
            return None
    if quote == "'" and len(out) != 1:
        return None
    return "".join(out)


class _Parser:
    """Go's parse.Tree, keeping of the tree only what the errors depend on."""

    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text, self.tokens, self.index = text, tokens, 0
        self.end = len(tokens)
        self.vars: list[str] = ["$"]
        self.range_depth = 0
        self.trees: dict[str, bool] = {}  # defined template -> not empty
        self.last = tokens[0]

    def fail(self, message: str) -> TemplateError:
        return TemplateError(_at(self.text, self.last.pos, message))

    def next(self) -> _Token:
        token = self.peek()
        self.index += 1
        self.last = token
        return token

    def peek(self) -> _Token:
        """The next token; past the end, the last (EOF)."""
        index = self.index
        return self.tokens[index] if index < self.end else self.tokens[-1]

    def skip_space(self) -> None:
        tokens, end = self.tokens, self.end
        while self.index < end and tokens[self.index].kind == "space":
            self.index += 1

    def next_non_space(self) -> _Token:
        self.skip_space()
        return self.next()

    def peek_non_space(self) -> _Token:
        self.skip_space()
        return self.peek()

    def unexpected(self, token: _Token, context: str) -> TemplateError:
        return self.fail(f"unexpected {token} in {context}")

    def expect(self, kind: str, context: str) -> _Token:
        token = self.next_non_space()
        if token.kind != kind:
            raise self.unexpected(token, context)
        return token

    def parse(self) -> None:
        while self.peek().kind != "eof":
            if self.peek().kind == "{{":
                mark = self.index
                self.next()
                if self.next_non_space().kind == "define":
                    self.definition()
                    continue
                self.index = mark
            node = self.text_or_action()
            if node in ("end", "else"):
                raise self.fail(f"unexpected {{{{{node}}}}}")

    def add(self, name: str, filled: bool) -> None:
        if self.trees.get(name) and filled:
            raise self.fail(f"template: multiple definition of template {name!r}")
        if not self.trees.get(name):
            self.trees[name] = filled

    def template_name(self, token: _Token, context: str) -> str:
        if token.kind not in ("string", "raw"):
            raise self.unexpected(token, context)
        name = token.value[1:-1] if token.kind == "raw" else _unquote(token.value, '"')
        if name is None:
            raise self.fail("invalid syntax")
        return name

    def in_new_tree(self, context: str) -> bool:
        """An item list as a template of its own (define, block): its own variables."""
        saved = self.vars, self.range_depth
        self.vars, self.range_depth = ["$"], 0
        filled, end = self.item_list()
        if end != "end":
            raise self.fail(f"unexpected {{{{{end}}}}} in {context}")
        self.vars, self.range_depth = saved
        return filled

    def definition(self) -> None:
        name = self.template_name(self.next_non_space(), "define clause")
        self.expect("}}", "define clause")
        self.add(name, self.in_new_tree("define clause"))

    def item_list(self) -> tuple[bool, str]:
        """Whether the list holds more than blank text, and the `end` or `else` closing it."""
        filled = False
        while self.peek_non_space().kind != "eof":
            node = self.text_or_action()
            if node in ("end", "else"):
                return filled, node
            filled = filled or node != "blank"
        raise self.fail("unexpected EOF")

    def text_or_action(self) -> str:
        token = self.next_non_space()
        if token.kind == "text":
            return "text" if token.value.strip() else "blank"
        if token.kind == "{{":
            return self.action()
        raise self.unexpected(token, "input")

    def action(self) -> str:
        token = self.next_non_space()
        kind = token.kind
        if kind in ("break", "continue"):
            following = self.next_non_space()
            if following.kind != "}}":
                raise self.unexpected(following, f"{{{{{kind}}}}}")
            if not self.range_depth:
                raise self.fail(f"{{{{{kind}}}}} outside {{{{range}}}}")
        elif kind == "else":
            if self.peek_non_space().kind != "if":
                self.expect("}}", "else")
        elif kind == "end":
            self.expect("}}", "end")
        elif kind in ("if", "with"):
            self.control(kind)
        elif kind == "range":
            self.range_depth += 1
            self.control(kind)
            self.range_depth -= 1
        elif kind == "template":
            self.template_name(self.next_non_space(), "template clause")
            if self.next_non_space().kind != "}}":
                self.index -= 1
                self.pipeline("template clause", "}}")
        elif kind == "block":
            name = self.template_name(self.next_non_space(), "block clause")
            self.pipeline("block clause", "}}")
            self.add(name, self.in_new_tree("block clause"))
        else:
            self.index -= 1
            self.pipeline("command", "}}")
            return "action"
        return kind

    def control(self, context: str) -> None:
        saved = len(self.vars)
        self.pipeline(context, "}}")
        _, end = self.item_list()
        if end == "else":
            if context == "if" and self.peek().kind == "if":
                self.next()
                self.control("if")  # `else if`: one `end` closes both
            else:
                _, end = self.item_list()
                if end != "end":
                    raise self.fail(f"expected end; found {{{{{end}}}}}")
        del self.vars[saved:]

    def pipeline(self, context: str, end: str) -> None:
        declared = 0
        while (variable := self.peek_non_space()).kind == "variable":
            mark = self.index
            self.next()
            following = self.peek_non_space()
            if following.kind in ("=", ":="):
                self.next()
                self.vars.append(variable.value)
                declared += 1
                break
            if following.kind == "char" and following.value == ",":
                self.next()
                self.vars.append(variable.value)
                declared += 1
                if context == "range" and declared < 2:
                    if self.peek_non_space().kind in ("variable", "}}", ")"):
                        continue
                    raise self.fail("range can only initialize variables")
                raise self.fail(f"too many declarations in {context}")
            self.index = mark
            break
        commands: list[str] = []
        while True:
            token = self.next_non_space()
            if token.kind == end:
                if not commands:
                    raise self.fail(f"missing value for {context}")
                for stage, first in enumerate(commands[1:], start=2):
                    if first in _NOT_EXECUTABLE:
                        raise self.fail(f"non executable command in pipeline stage {stage}")
                return
            if token.kind not in _OPERANDS:
                raise self.unexpected(token, context)
            self.index -= 1
            commands.append(self.command())

    def command(self) -> str:
        """A command's first operand's kind."""
        operands: list[str] = []
        while True:
            self.skip_space()
            operand = self.operand()
            if operand is not None:
                operands.append(operand)
            token = self.next()
            if token.kind == "space":
                continue
            if token.kind in ("}}", ")"):
                self.index -= 1
            elif token.kind != "|":
                raise self.unexpected(token, "operand")
            break
        if not operands:
            raise self.fail("empty command")
        return operands[0]

    def operand(self) -> str | None:
        kind = self.term()
        if kind is None or self.peek().kind != "field":
            return kind
        while self.peek().kind == "field":
            self.next()
        if kind in _NOT_EXECUTABLE:
            raise self.fail("unexpected . after term")
        return kind if kind in ("field", "variable") else "chain"

    def term(self) -> str | None:
        token = self.next_non_space()
        kind = token.kind
        if kind == "identifier":
            if token.value not in FUNCTIONS:
                raise self.fail(f'function "{token.value}" not defined')
            return kind
        if kind == "variable":
            if token.value.split(".")[0] not in self.vars:
                raise self.fail(f'undefined variable "{token.value}"')
            return kind
        if kind in ("charconst", "complex", "number"):
            error = _number_error(token)
            if error is not None:
                raise self.fail(error)
            return "number"
        if kind == "(":
            self.pipeline("parenthesized pipeline", ")")
            return "pipeline"
        if kind == "string" and _unquote(token.value, '"') is None:
            raise self.fail("invalid syntax")
        if kind in ("dot", "nil", "field", "bool", "string", "raw"):
            return "string" if kind == "raw" else kind
        self.index -= 1
        return None


def _common_shape() -> re.Pattern[str]:
    """Text whose actions are all pipelines of the shapes alert rules nearly always use:
    `{{ $labels.instance }}`, `{{$value | humanize}}`, `{{- printf "%.2f" $value -}}`. Each
    piece is one Go lexes and parses without error, so a match is a text the parser accepts;
    anything else (keywords, declarations, numbers, parentheses, comments, `.`, escapes, raw
    strings, other variables) is left to the parser."""
    space = r"[ \t\r\n]"  # the lexer's isSpace
    # A word ends where the lexer's atTerminator does; every piece that may follow one here
    # (space, `|`, `}}`, a field's `.`) starts with a terminator, so no lookahead is needed.
    variable = r"\$(?:labels|value|externalLabels|externalURL)(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
    string = r'"[^"\\\n]*"'  # unquotes to itself: no escape to check
    names = sorted(FUNCTIONS - KEYWORDS - {"true", "false"}, key=lambda name: (-len(name), name))
    function = "(?:" + "|".join(map(re.escape, names)) + ")"
    argument = f"(?:{variable}|{string})"
    command = f"{function}(?:{space}+{argument})*"  # a function: its own stage
    # The first stage may be a lone value; later ones must be a function (Go: "non executable
    # command in pipeline stage").
    pipeline = f"(?:{command}|{argument})(?:{space}*\\|{space}*{command})*"
    # `{{- ` and ` -}}` trim only with the space; `{{-$x` and `$x-}}` are other tokens.
    action = rf"\{{\{{(?:-{space})?{space}*{pipeline}(?:{space}+-?)?\}}\}}"
    text = r"[^{]*(?:\{(?!\{)[^{]*)*"  # up to the next `{{`, where Go's lexer stops
    return re.compile(f"{text}(?:{action}{text})*")


_COMMON = _common_shape()


@lru_cache(maxsize=1 << 14)
def template_error(text: str) -> str | None:
    """Why Prometheus 2.42 refuses `text` as an alert's label or annotation template (Go's
    message, with the line in `text`), or None when it parses. Once per distinct text: rule
    files repeat their descriptions from alert to alert."""
    if "{{" not in text or _COMMON.fullmatch(text):
        return None  # plain text, or only actions of the common shapes: nothing to refuse
    return _parse_error(text)


def _parse_error(text: str) -> str | None:
    """template_error by the lexer and parser alone, without its shortcut for common shapes."""
    try:
        parser = _Parser(text, _Lexer(text).run())
        parser.vars += PROMETHEUS_DECLARED
        parser.parse()
    except TemplateError as exc:
        return str(exc)
    except RecursionError:
        return "nests too deeply to check"
    return None


def check_template(text: str) -> str:
    """`text` unchanged, or ValueError saying what Prometheus would refuse."""
    error = template_error(text)
    if error is not None:
        raise ValueError(
            f"is not a template Prometheus parses ({error}): fix that action; a literal `{{{{` "
            'is written {{ "{{" }}'
        )
    return text
