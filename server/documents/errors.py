"""Errors of the documents room: each carries a message meant for the user (Chinese)."""
from __future__ import annotations

import re


class DocumentError(Exception):
    """A refusal with a message meant for the user (Chinese)."""


class RenderError(DocumentError):
    """A template failed while rendering: the message names the document and paragraph."""


class RenderLimit(RenderError):
    """A render exceeded its time, operation, size or memory bounds and was stopped."""


# Jinja's English messages and what a county admin reads instead (first match wins).
_EXPLAINED = [
    (r"Unexpected end of template\. Jinja was looking for the following tags: ([^.]*)\."
     r"(?: The innermost block that needs to be closed is '(\w+)')?",
     lambda m: f"模板在结束前缺少结束标签（{_tags(m.group(1))}），"
               f"请检查{_block(m.group(2))}是否都已闭合"),
    (r"unexpected end of template", lambda m: "模板意外结束：有未闭合的 {{ }} 或 {% %}"),
    (r"Encountered unknown tag '(\w+)'", lambda m: f"未知的标签“{m.group(1)}”"
     "（可能是 {% %} 写错，或缺少对应的开始标签）"),
    (r"expected token '([^']+)', got '([^']*)'",
     lambda m: f"此处应为“{_token(m.group(1))}”，实际是“{m.group(2)}”"),
    (r"unexpected '([^']*)'", lambda m: f"出现了多余或位置不对的“{m.group(1)}”"),
    (r"unexpected char '(.)'", lambda m: f"无法识别的字符“{m.group(1)}”"),
    (r"no filter named '(\w+)'", lambda m: f"不存在的过滤器 {m.group(1)}"),
    (r"no test named '(\w+)'", lambda m: f"不存在的测试 {m.group(1)}"),
    (r"has no attribute '([^']+)'", lambda m: f"没有这个字段：{m.group(1)}"),
    (r"'([^']+)' is undefined", lambda m: f"未定义的变量 {m.group(1)}"),
    (r"attribute '?([^' ]+)'? .*unsafe|unsafe.*'([^']+)'",
     lambda m: f"不安全的属性 {m.group(1) or m.group(2)}（不允许以下划线开头）"),
    (r"'NoneType' object is not iterable",
     lambda m: "要循环的数据不存在（该案件的表单可能没有这一组，或这一项未填写）"),
    (r"object is not iterable", lambda m: "只能对列表使用 for 循环"),
    (r"not supported between|unsupported operand|can only concatenate",
     lambda m: "数据类型不能这样运算（例如文字与数字相加）"),
    (r"division by zero", lambda m: "除数为零"),
    (r"invalid literal|could not convert", lambda m: "无法把这里的内容转换为数字"),
]


def _tags(text: str) -> str:
    return "、".join(re.findall(r"'(\w+)'", text)) or text


def _block(name: str | None) -> str:
    return f"“{name}”语句" if name else "每个 {% %} 语句"


def _token(name: str) -> str:
    return {"end of print statement": "}}", "end of statement block": "%}",
            "name": "变量名"}.get(name, name)


def explain(exc: BaseException) -> str:
    """A Jinja (or Python) error raised by a template, in Chinese for the county admin."""
    if isinstance(exc, DocumentError):
        return str(exc)
    text = str(getattr(exc, "message", None) or exc)
    for pattern, say in _EXPLAINED:
        match = re.search(pattern, text, flags=re.I)
        if match:
            return say(match)
    return f"模板无法处理这里的数据（{type(exc).__name__}）"
