/*
 * schema-form.js — the browser runtime of the intake form schemas (server/schemas/).
 *
 * It evaluates the same expressions as the server (the JSON AST the server compiled at load
 * time; semantics in server/schemas/expr.py) to show/hide fields, fill computed fields, show
 * eligibility hints and check ID numbers as the clerk types. The server stays the judge:
 * every submission is validated again by server.schemas.engine.validate_answers.
 *
 * DOM contract (what a page rendering a schema form must provide):
 *
 *   <script type="application/json" id="schema-spec">{...client_spec(version, user)...}</script>
 *       A JSON data block (never executed, so the CSP allows it). Load this file with
 *       <script src=".../static/js/schema-form.js" defer></script>.
 *   <form data-schema-form> ... </form>
 *       The form (if absent, the whole document is used).
 *   <div data-field="PATH"> ... control(s) ... </div>
 *       One wrapper per field. PATH is the field name ("applicant_name") or, inside a
 *       repeating group, "group[ROW].name" ("members[0].income"). The wrapper of a group
 *       itself has data-field="members". Controls are the input/select/textarea elements
 *       inside the wrapper: yes/no as radios (values "yes"/"no"), a checkbox, or a select;
 *       multiple choice as a <select multiple> or checkboxes. A computed field shows its value
 *       in an <output>, an <input readonly> or an element with [data-value].
 *       Hidden fields get the `hidden` attribute and their controls `disabled` (so they are
 *       not posted); they are re-enabled when shown again.
 *   <p data-client-error></p> inside a wrapper (optional; created if missing): client-side
 *       messages (ID check character) go here; the server's text in the page's language
 *       (spec.messages, Chinese when absent).
 *   <div data-group="members"> ... <div data-row> ...wrappers... <button data-remove-row>
 *       </div> ... </div>
 *       The rows of a repeating group. Row index = the ROW in the wrappers' data-field.
 *   <template data-row-template="members"> ...one row... </template>
 *       A row with "__index__" wherever the row number goes (attributes name, id, for,
 *       data-field); <button type="button" data-add-row="members"> appends a copy with the
 *       next free index (WTForms FieldList accepts gaps). Add/remove respect min/max rows.
 *   <ul data-schema-hints></ul>
 *       Eligibility hints (non-blocking) are listed here.
 *
 * The core (run, evaluate, Decimal, validateIdNumber) is DOM-free and exported for node, so
 * tests run the same code the browser runs.
 */
(function (root) {
  "use strict";

  // -- decimals: BigInt mantissa and scale; exact + - *, division half-up to 10 places ----------
  function Dec(m, s) { this.m = m; this.s = s; }
  var TEN = BigInt(10);
  function pow10(n) { return TEN ** BigInt(n); }
  function dec(text) {
    var t = String(text).trim();
    var match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
    if (!match || (match[2] === "" && (match[3] || "") === "")) throw new Unknown();
    var frac = match[3] || "";
    var m = BigInt((match[2] || "0") + frac);
    var s = frac.length - (match[4] ? parseInt(match[4], 10) : 0);
    if (s < 0) { m = m * pow10(-s); s = 0; }
    if (match[1] === "-") m = -m;
    return new Dec(m, s);
  }
  function align(a, b) {
    var s = Math.max(a.s, b.s);
    return [a.m * pow10(s - a.s), b.m * pow10(s - b.s), s];
  }
  function add(a, b) { var x = align(a, b); return new Dec(x[0] + x[1], x[2]); }
  function sub(a, b) { var x = align(a, b); return new Dec(x[0] - x[1], x[2]); }
  function mul(a, b) { return new Dec(a.m * b.m, a.s + b.s); }
  function babs(x) { return x < 0n ? -x : x; }
  function divRound(num, den) { // num/den rounded half away from zero (Python ROUND_HALF_UP)
    var q = num / den, r = num % den;
    if (BigInt(2) * babs(r) >= babs(den)) q += ((num < 0n) !== (den < 0n)) ? -1n : 1n;
    return q;
  }
  function div(a, b) {
    if (b.m === 0n) throw new Unknown();
    return new Dec(divRound(a.m * pow10(b.s + 10), b.m * pow10(a.s)), 10);
  }
  function cmp(a, b) { var x = align(a, b); return x[0] < x[1] ? -1 : (x[0] > x[1] ? 1 : 0); }
  function quantize(a, places) {
    if (a.s <= places) return new Dec(a.m * pow10(places - a.s), places);
    return new Dec(divRound(a.m, pow10(a.s - places)), places);
  }
  function fixed(a) { // the decimal as text with exactly its scale
    var neg = a.m < 0n, digits = babs(a.m).toString();
    if (a.s > 0) {
      while (digits.length <= a.s) digits = "0" + digits;
      digits = digits.slice(0, digits.length - a.s) + "." + digits.slice(digits.length - a.s);
    }
    return (neg ? "-" : "") + digits;
  }
  function canonicalDec(a) { // Python: format(d.normalize(), "f")
    var m = a.m, s = a.s;
    while (s > 0 && m % TEN === 0n) { m = m / TEN; s -= 1; }
    var text = fixed(new Dec(m, s));
    return text === "-0" ? "0" : text;
  }
  Dec.prototype.toString = function () { return canonicalDec(this); };

  function Unknown() { this.name = "Unknown"; }

  function isDec(v) { return v instanceof Dec; }
  function toDec(v) { if (isDec(v)) return v; throw new Unknown(); }
  function truthy(v) {
    if (v === null || v === undefined) return false;
    if (typeof v === "boolean") return v;
    if (isDec(v)) return v.m !== 0n;
    if (typeof v === "string" || Array.isArray(v)) return v.length > 0;
    return true;
  }
  function equal(a, b) {
    if (typeof a === "boolean" || typeof b === "boolean") return a === b;
    if (isDec(a) && isDec(b)) return cmp(a, b) === 0;
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) return false;
      for (var i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
      return true;
    }
    if (a === null || b === null) return a === b;
    if (isDec(a) || isDec(b) || Array.isArray(a) || Array.isArray(b)) return false;
    return a === b;
  }
  function ordering(fn) {
    return function (a, b) {
      if (isDec(a) && isDec(b)) return fn(cmp(a, b));
      if (typeof a === "string" && typeof b === "string") return fn(a < b ? -1 : (a > b ? 1 : 0));
      throw new Unknown();
    };
  }
  function contains(container, item) {
    if (typeof container === "string") {
      if (typeof item !== "string") throw new Unknown();
      return container.indexOf(item) >= 0;
    }
    if (Array.isArray(container)) {
      for (var i = 0; i < container.length; i++) if (equal(item, container[i])) return true;
      return false;
    }
    throw new Unknown();
  }
  var COMPARE = {
    "==": equal,
    "!=": function (a, b) { return !equal(a, b); },
    "<": ordering(function (c) { return c < 0; }),
    "<=": ordering(function (c) { return c <= 0; }),
    ">": ordering(function (c) { return c > 0; }),
    ">=": ordering(function (c) { return c >= 0; }),
    "in": function (a, b) { return contains(b, a); },
    "not in": function (a, b) { return !contains(b, a); }
  };
  var ARITH = {
    "+": add, "-": sub, "*": mul, "/": div,
    "**": function (a, b) {
      var n = Number(quantize(b, 0).m), r = dec("1");
      for (var i = 0; i < n; i++) r = mul(r, a);
      return r;
    }
  };

  // -- ID numbers (GB 11643), same messages as server/idnumber.py --------------------------------
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";
  function isoDate(y, m, d) {
    var dt = new Date(Date.UTC(y, m - 1, d));
    if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
    return String(y).padStart(4, "0") + "-" + String(m).padStart(2, "0") + "-" + String(d).padStart(2, "0");
  }
  var ID_MESSAGES = {
    id_shape: "身份证号码应为 18 位，前 17 位为数字，最后一位为数字或 X",
    id_no_such_birth_date: "身份证号码中的出生日期不存在",
    id_implausible_birth_date: "身份证号码中的出生日期不合理",
    id_check_character: "身份证号码校验位错误，请核对是否输错"
  };
  function validateIdNumber(raw, today, messages) { // -> {value} or {error}
    var say = function (key) { return (messages && messages[key]) || ID_MESSAGES[key]; };
    var v = String(raw || "").trim().toUpperCase().replace(/ /g, "");
    if (!/^\d{17}[\dX]$/.test(v)) return {error: say("id_shape")};
    var born = isoDate(+v.slice(6, 10), +v.slice(10, 12), +v.slice(12, 14));
    if (!born) return {error: say("id_no_such_birth_date")};
    if (born > today || +v.slice(6, 10) < 1900) return {error: say("id_implausible_birth_date")};
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += (+v[i]) * WEIGHTS[i];
    if (CHECK[sum % 11] !== v[17]) return {error: say("id_check_character")};
    return {value: v};
  }

  // -- functions (server: expr.functions_for) ---------------------------------------------------
  function values(arg) {
    if (!Array.isArray(arg)) throw new Unknown();
    return arg.filter(function (v) { return v !== null && v !== undefined; });
  }
  function birthOf(v, today) {
    if (typeof v !== "string") throw new Unknown();
    if (v.length === 18) {
      var r = validateIdNumber(v, today);
      if (r.error || r.value !== v) throw new Unknown();
      return v.slice(6, 10) + "-" + v.slice(10, 12) + "-" + v.slice(12, 14);
    }
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    if (!m || !isoDate(+m[1], +m[2], +m[3])) throw new Unknown();
    return v;
  }
  function extreme(sign) {
    return function () {
      var list = arguments.length === 1 ? values(arguments[0]) : Array.prototype.slice.call(arguments);
      if (!list.length || list.some(function (v) { return v === null; })) throw new Unknown();
      var best = toDec(list[0]);
      for (var i = 1; i < list.length; i++) {
        var d = toDec(list[i]);
        if (cmp(d, best) * sign > 0) best = d;
      }
      return best;
    };
  }
  function makeFunctions(today) {
    return {
      sum: function (list) {
        return values(list).reduce(function (t, v) { return add(t, toDec(v)); }, dec("0"));
      },
      sumif: function (list, flags) {
        if (!Array.isArray(list) || !Array.isArray(flags)) throw new Unknown();
        var t = dec("0");
        for (var i = 0; i < Math.min(list.length, flags.length); i++) {
          if (list[i] !== null && truthy(flags[i])) t = add(t, toDec(list[i]));
        }
        return t;
      },
      count: function (list, match) {
        if (Array.isArray(list) && list.isRows) return dec(String(list.length));
        if (!Array.isArray(list)) throw new Unknown();
        var n = list.filter(function (v) {
          if (match !== undefined && match !== null) return equal(v, match);
          return v !== null && v !== "" && v !== false && !(Array.isArray(v) && v.length === 0);
        }).length;
        return dec(String(n));
      },
      min: extreme(-1),
      max: extreme(1),
      round: function (v, places) {
        return quantize(toDec(v), places === undefined ? 0 : Number(quantize(toDec(places), 0).m));
      },
      abs: function (v) { v = toDec(v); return new Dec(babs(v.m), v.s); },
      age: function (v) {
        var born = birthOf(v, today);
        var years = +today.slice(0, 4) - +born.slice(0, 4) - (today.slice(5) < born.slice(5) ? 1 : 0);
        return dec(String(years));
      },
      sex: function (v) {
        if (typeof v !== "string" || v.length !== 18 || validateIdNumber(v, today).value !== v) throw new Unknown();
        return (+v[16]) % 2 ? "M" : "F";
      },
      number: function (v) {
        if (isDec(v)) return v;
        if (typeof v === "string" && /^-?\d{1,15}(\.\d{1,10})?$/.test(v.trim())) return dec(v.trim());
        throw new Unknown();
      },
      len: function (v) {
        if (typeof v === "string") return dec(String(Array.from(v).length));
        if (Array.isArray(v)) return dec(String(v.length));
        throw new Unknown();
      },
      any: function (list) { return values(list).some(truthy); },
      all: function (list) { return values(list).every(truthy); },
      unique: function (list) {
        var seen = [];
        var items = values(list);
        for (var i = 0; i < items.length; i++) {
          if (items[i] === "") continue;
          for (var j = 0; j < seen.length; j++) if (equal(items[i], seen[j])) return false;
          seen.push(items[i]);
        }
        return true;
      }
    };
  }

  // -- the evaluator over the server's JSON AST --------------------------------------------------
  function lookup(env, name) {
    for (var i = 0; i < env.length; i++) {
      if (Object.prototype.hasOwnProperty.call(env[i], name)) {
        var v = env[i][name];
        return v === undefined ? null : v;
      }
    }
    throw new Unknown();
  }
  function ev(node, env, fns) {
    switch (node.k) {
      case "num": return dec(node.v);
      case "str": return node.v;
      case "const": return node.v;
      case "list": return node.items.map(function (n) { return ev(n, env, fns); });
      case "name": return lookup(env, node.id);
      case "attr": {
        var rows = lookup(env, node.group);
        if (rows === null) throw new Unknown();
        return rows.map(function (r) { var v = r[node.field]; return v === undefined ? null : v; });
      }
      case "bin": {
        var l = ev(node.l, env, fns), r = ev(node.r, env, fns);
        if (node.op === "+" && typeof l === "string" && typeof r === "string") return l + r;
        return ARITH[node.op](toDec(l), toDec(r));
      }
      case "un": {
        var e = ev(node.e, env, fns);
        if (node.op === "not") return !truthy(e);
        e = toDec(e);
        return node.op === "-" ? new Dec(-e.m, e.s) : e;
      }
      case "bool": {
        var out = false;
        for (var i = 0; i < node.vs.length; i++) {
          out = ev(node.vs[i], env, fns);
          if (node.op === "and" ? !truthy(out) : truthy(out)) break;
        }
        return out;
      }
      case "cmp": {
        var left = ev(node.l, env, fns);
        for (var j = 0; j < node.ops.length; j++) {
          var right = ev(node.cs[j], env, fns);
          if (!COMPARE[node.ops[j]](left, right)) return false;
          left = right;
        }
        return true;
      }
      case "if": return truthy(ev(node.test, env, fns)) ? ev(node.body, env, fns) : ev(node.orelse, env, fns);
      case "call": {
        var args = node.args.map(function (n) { return ev(n, env, fns); });
        return fns[node.fn].apply(null, args);
      }
    }
    throw new Unknown();
  }
  /** Evaluate a JSON AST; env is a list of scopes (row first); null when unknown. */
  function evaluate(ast, env, today) {
    try {
      return ev(ast, env, makeFunctions(today));
    } catch (e) {
      if (e instanceof Unknown || e instanceof RangeError || e instanceof TypeError) return null;
      throw e;
    }
  }

  // -- submitted values as expression values (server: FieldType.parse + expr_value) ------------
  var YES = ["yes", "y", "true", "1", "是", "on"], NO = ["no", "n", "false", "0", "否", "off"];
  function blank(raw) {
    return raw === null || raw === undefined || (typeof raw === "string" && !raw.trim()) ||
      (Array.isArray(raw) && !raw.length);
  }
  function numberValue(f, raw, places) {
    var t = String(raw).trim().replace(/,/g, "");
    var v;
    try { v = dec(t); } catch (e) { return null; }
    var q = quantize(v, places);
    if (cmp(q, v) !== 0 || cmp(new Dec(babs(v.m), v.s), dec("1e12")) >= 0) return null;
    if (f.min !== undefined && cmp(q, dec(f.min)) < 0) return null;
    if (f.max !== undefined && cmp(q, dec(f.max)) > 0) return null;
    return q;
  }
  var PARSE = {
    text: function (f, raw) {
      var v = String(raw).trim(), n = Array.from(v).length;
      if (n > (f.max_length || (f.type === "long_text" ? 5000 : 200)) || n < (f.min_length || 0)) return null;
      if (f.pattern) {
        try { if (!new RegExp("^(?:" + f.pattern + ")$").test(v)) return null; } catch (e) { return v; }
      }
      return v;
    },
    integer: function (f, raw) { return numberValue(f, raw, 0); },
    money: function (f, raw) { // server/money.py: NFKC, no exponent, half-up to the fen
      var t = String(raw).normalize("NFKC").replace(/\s+/g, "").replace(/,/g, "");
      t = t.replace(/^¥/, "").replace(/元$/, "");
      if (t.length > 40 || !/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) return null;
      var q = quantize(dec(t), 2);
      if (cmp(new Dec(babs(q.m), q.s), dec("1000000000")) > 0) return null;
      if (q.m < 0n && !(f.min !== undefined && cmp(dec(f.min), dec("0")) < 0)) return null;
      if (f.min !== undefined && cmp(q, dec(f.min)) < 0) return null;
      if (f.max !== undefined && cmp(q, dec(f.max)) > 0) return null;
      return q;
    },
    date: function (f, raw, ctx) {
      var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(raw).trim());
      var v = m && isoDate(+m[1], +m[2], +m[3]);
      if (!v) return null;
      var bound = function (b) { return b === "today" ? ctx.today : b; };
      if (f.min && v < bound(f.min)) return null;
      if (f.max && v > bound(f.max)) return null;
      if (f.not_future && v > ctx.today) return null;
      return v;
    },
    choice: function (f, raw) {
      var v = String(raw).trim();
      return (f.choices || []).some(function (c) { return c.value === v; }) ? v : null;
    },
    multi_choice: function (f, raw) {
      var list = Array.isArray(raw) ? raw : [raw], out = [];
      for (var i = 0; i < list.length; i++) {
        var v = String(list[i]).trim();
        if (!(f.choices || []).some(function (c) { return c.value === v; })) return null;
        if (out.indexOf(v) < 0) out.push(v);
      }
      if (out.length < (f.min_selected || 0)) return null;
      if (f.max_selected !== undefined && out.length > f.max_selected) return null;
      return out;
    },
    yes_no: function (f, raw) {
      if (typeof raw === "boolean") return raw;
      var t = String(raw).trim().toLowerCase();
      return YES.indexOf(t) >= 0 ? true : (NO.indexOf(t) >= 0 ? false : null);
    },
    id_number: function (f, raw, ctx) { return validateIdNumber(raw, ctx.today).value || null; },
    phone: function (f, raw) {
      var v = String(raw).replace(/[\s()（）]/g, "");
      if (v.indexOf("+86") === 0) v = v.slice(3);
      var mobile = /^1[3-9]\d{9}$/.test(v), landline = /^0\d{2,3}-?\d{7,8}(-\d{1,6})?$/.test(v);
      var kind = f.kind || "any";
      return (kind === "mobile" ? mobile : kind === "landline" ? landline : mobile || landline) ? v : null;
    },
    village: function (f, raw) { return PARSE.choice(f, raw); },
    bank_account: function (f, raw) {
      var v = String(raw).replace(/[\s-]/g, "");
      return /^\d{12,30}$/.test(v) ? v : null;
    },
    file: function (f, raw) {
      if (raw && typeof raw === "object" && !Array.isArray(raw)) return raw.name || null;
      return typeof raw === "string" ? raw : null;
    }
  };
  PARSE.long_text = PARSE.text;

  function coerceComputed(f, v) { // server: engine._coerce_computed
    if (v === null || v === undefined) return null;
    if (f.type === "money" || f.type === "integer") {
      if (!isDec(v)) return null;
      var q = quantize(v, f.type === "money" ? 2 : 0);
      return f.type === "money" ? fixed(q) : Number(q.m);
    }
    if (f.type === "yes_no") return truthy(v);
    if (isDec(v)) return canonicalDec(v);
    return typeof v === "string" ? v : null;
  }
  function exprValue(f, clean) {
    if (clean === null || clean === undefined) return null;
    if (f.type === "money" || f.type === "integer") return dec(String(clean));
    return clean;
  }

  function formatMessage(message, spec, env) { // server: engine.format_message
    var money = {};
    spec.fields.forEach(function (f) { if (f.type === "money") money[f.name] = true; });
    Object.keys(spec.variable_types || {}).forEach(function (n) {
      if (spec.variable_types[n] === "money") money[n] = true;
    });
    return message.replace(/\{(\w+)\}/g, function (all, name) {
      var v = Object.prototype.hasOwnProperty.call(env, name) ? env[name] : null;
      if (v === null || v === undefined) return "—";
      if (isDec(v)) return money[name] ? fixed(quantize(v, 2)) : canonicalDec(v);
      if (typeof v === "boolean") return v ? "True" : "False";
      return String(v);
    });
  }

  /**
   * One pass over the fields in document order, as engine._Run does on the server:
   * answers {field: raw, group: [{sub: raw}]} -> {computed: {path: json}, hidden: [path],
   * warnings: [text], env}.
   */
  function run(spec, answers) {
    var ctx = {today: spec.today};
    var top = {today: spec.today};
    Object.keys(spec.variables || {}).forEach(function (k) {
      var v = spec.variables[k];
      var type = (spec.variable_types || {})[k];
      top[k] = (type === "money" || type === "integer") ? dec(v) : v;
    });
    var out = {computed: {}, hidden: [], warnings: [], env: top};
    function check(f, key, env) { return evaluate(f.ast[key], env, spec.today); }
    function scalar(f, raw, scope, env, path) {
      if (f.ast.show_if && !truthy(check(f, "show_if", env))) {
        scope[f.name] = null; out.hidden.push(path); return;
      }
      if (f.ast.compute) {
        var value = coerceComputed(f, check(f, "compute", env));
        out.computed[path] = value;
        scope[f.name] = exprValue(f, value);
        return;
      }
      scope[f.name] = blank(raw) ? null : exprValue(f, PARSE[f.type](f, raw, ctx));
    }
    spec.fields.forEach(function (f) {
      var raw = answers[f.name];
      if (f.type !== "group") { scalar(f, raw, top, [top], f.name); return; }
      var rows = [];
      rows.isRows = true;
      top[f.name] = rows;
      if (f.ast.show_if && !truthy(check(f, "show_if", [top]))) { out.hidden.push(f.name); return; }
      (Array.isArray(raw) ? raw.slice(0, f.max_rows) : []).forEach(function (row, i) {
        var scope = {};
        f.fields.forEach(function (sub) {
          scalar(sub, (row || {})[sub.name], scope, [scope, top], f.name + "[" + i + "]." + sub.name);
        });
        rows.push(scope);
      });
    });
    (spec.hints || []).forEach(function (h) {
      if (truthy(evaluate(h.ast, [top], spec.today))) out.warnings.push(formatMessage(h.message, spec, top));
    });
    return out;
  }

  /** A value as the JSON the server's expr.canonical gives (for comparing results). */
  function canonical(v) {
    if (isDec(v)) return canonicalDec(v);
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === "object") {
      var o = {};
      Object.keys(v).forEach(function (k) { o[k] = canonical(v[k]); });
      return o;
    }
    return v === undefined ? null : v;
  }

  var core = {Dec: Dec, dec: dec, evaluate: evaluate, run: run, canonical: canonical,
              validateIdNumber: validateIdNumber, quantize: quantize, fixed: fixed};

  // -- DOM binding -------------------------------------------------------------------------------
  function controls(wrapper) {
    return Array.prototype.filter.call(wrapper.querySelectorAll("input, select, textarea"), function (el) {
      // controls of nested wrappers (a group's rows) belong to those wrappers
      return el.closest("[data-field]") === wrapper;
    });
  }
  function readRaw(wrapper, f) {
    var els = controls(wrapper);
    if (!els.length) return null;
    if (f.type === "file") {
      var file = els[0].files && els[0].files[0];
      return file ? {name: file.name} : null;
    }
    if (f.type === "multi_choice") {
      var picked = [];
      els.forEach(function (el) {
        if (el.tagName === "SELECT") {
          Array.prototype.forEach.call(el.selectedOptions, function (o) { picked.push(o.value); });
        } else if (el.checked) picked.push(el.value);
      });
      return picked;
    }
    var radios = els.filter(function (el) { return el.type === "radio"; });
    if (radios.length) {
      var on = radios.filter(function (el) { return el.checked; })[0];
      return on ? on.value : null;
    }
    if (els[0].type === "checkbox") return els[0].checked ? "yes" : "no";
    return els[0].value;
  }
  function rowIndexes(form, group) {
    var seen = {}, out = [];
    var re = new RegExp("^" + group + "\\[(\\d+)\\]\\.");
    form.querySelectorAll("[data-field]").forEach(function (w) {
      var m = re.exec(w.getAttribute("data-field"));
      if (m && !seen[m[1]] && !w.closest("template")) { seen[m[1]] = true; out.push(+m[1]); }
    });
    return out.sort(function (a, b) { return a - b; });
  }
  function wrapperOf(form, path) {
    return form.querySelector('[data-field="' + path.replace(/"/g, '\\"') + '"]');
  }
  function collect(form, spec) { // answers plus the DOM path of each answer path
    var answers = {}, paths = {};
    spec.fields.forEach(function (f) {
      if (f.type !== "group") {
        var w = wrapperOf(form, f.name);
        if (w) answers[f.name] = readRaw(w, f);
        paths[f.name] = f.name;
        return;
      }
      answers[f.name] = rowIndexes(form, f.name).map(function (domIndex, i) {
        var row = {};
        f.fields.forEach(function (sub) {
          var domPath = f.name + "[" + domIndex + "]." + sub.name;
          var w = wrapperOf(form, domPath);
          if (w) row[sub.name] = readRaw(w, sub);
          paths[f.name + "[" + i + "]." + sub.name] = domPath;
        });
        return row;
      });
    });
    return {answers: answers, paths: paths};
  }
  function setHidden(wrapper, hidden) {
    if (wrapper.hidden === hidden) return;
    wrapper.hidden = hidden;
    controls(wrapper).forEach(function (el) {
      if (hidden) { if (!el.disabled) { el.disabled = true; el.setAttribute("data-hidden-disabled", ""); } }
      else if (el.hasAttribute("data-hidden-disabled")) { el.disabled = false; el.removeAttribute("data-hidden-disabled"); }
    });
  }
  function showComputed(wrapper, f, value) {
    var text = value === null ? "" : (f.type === "yes_no" ? (value ? "是" : "否") : String(value));
    var target = wrapper.querySelector("output, [data-value], input[readonly]");
    if (!target) return;
    if (target.tagName === "INPUT") target.value = text; else target.textContent = text;
  }
  function clientError(wrapper, message) {
    var el = wrapper.querySelector("[data-client-error]");
    if (!el && !message) return;
    if (!el) {
      el = document.createElement("p");
      el.className = "field-error";
      el.setAttribute("data-client-error", "");
      el.setAttribute("role", "alert");
      wrapper.appendChild(el);
    }
    el.textContent = message || "";
    el.hidden = !message;
  }
  function fieldsByPath(spec, path) {
    var m = /^(\w+)\[\d+\]\.(\w+)$/.exec(path);
    var top = spec.fields.filter(function (f) { return f.name === (m ? m[1] : path); })[0];
    if (!top || !m) return top;
    return (top.fields || []).filter(function (f) { return f.name === m[2]; })[0];
  }

  function bind(form, spec) {
    function refresh() {
      var got = collect(form, spec);
      var result = run(spec, got.answers);
      var hidden = {};
      result.hidden.forEach(function (p) { hidden[got.paths[p] || p] = true; });
      form.querySelectorAll("[data-field]").forEach(function (w) {
        if (!w.closest("template")) setHidden(w, !!hidden[w.getAttribute("data-field")]);
      });
      Object.keys(result.computed).forEach(function (p) {
        var w = wrapperOf(form, got.paths[p] || p);
        if (w) showComputed(w, fieldsByPath(spec, p), result.computed[p]);
      });
      var hints = document.querySelector("[data-schema-hints]");
      if (hints) {
        hints.textContent = "";
        result.warnings.forEach(function (text) {
          var li = document.createElement("li");
          li.textContent = text;
          hints.appendChild(li);
        });
        hints.hidden = !result.warnings.length;
      }
      form.dispatchEvent(new CustomEvent("schema-form:refreshed", {detail: result}));
    }
    function checkId(wrapper) {
      var f = fieldsByPath(spec, wrapper.getAttribute("data-field") || "");
      if (!f || f.type !== "id_number") return;
      var raw = readRaw(wrapper, f);
      clientError(wrapper, blank(raw) ? "" : (validateIdNumber(raw, spec.today, spec.messages).error || ""));
    }
    function groupSpec(name) { return spec.fields.filter(function (f) { return f.name === name; })[0]; }
    function updateButtons() {
      spec.fields.filter(function (f) { return f.type === "group"; }).forEach(function (f) {
        var n = rowIndexes(form, f.name).length;
        form.querySelectorAll('[data-add-row="' + f.name + '"]').forEach(function (b) { b.disabled = n >= f.max_rows; });
        var box = form.querySelector('[data-group="' + f.name + '"]');
        if (box) box.querySelectorAll("[data-remove-row]").forEach(function (b) { b.disabled = n <= f.min_rows; });
      });
    }
    form.addEventListener("input", function (e) {
      var w = e.target.closest("[data-field]");
      if (w) checkId(w);
      refresh();
    });
    form.addEventListener("change", function (e) {
      var w = e.target.closest("[data-field]");
      if (w) checkId(w);
      refresh();
    });
    form.addEventListener("click", function (e) {
      var add = e.target.closest("[data-add-row]");
      if (add) {
        e.preventDefault();
        var name = add.getAttribute("data-add-row"), f = groupSpec(name);
        var tpl = form.querySelector('template[data-row-template="' + name + '"]') ||
          document.querySelector('template[data-row-template="' + name + '"]');
        var box = form.querySelector('[data-group="' + name + '"]');
        var existing = rowIndexes(form, name);
        if (!tpl || !box || !f || existing.length >= f.max_rows) return;
        var next = existing.length ? existing[existing.length - 1] + 1 : 0;
        var html = tpl.innerHTML.replace(/__index__/g, String(next));
        var holder = document.createElement("div");
        holder.innerHTML = html;
        while (holder.firstChild) box.appendChild(holder.firstChild);
        updateButtons();
        refresh();
        return;
      }
      var remove = e.target.closest("[data-remove-row]");
      if (remove) {
        e.preventDefault();
        var row = remove.closest("[data-row]");
        var groupBox = remove.closest("[data-group]");
        var g = groupBox && groupSpec(groupBox.getAttribute("data-group"));
        if (!row || !g || rowIndexes(form, g.name).length <= g.min_rows) return;
        row.parentNode.removeChild(row);
        updateButtons();
        refresh();
      }
    });
    form.querySelectorAll("[data-field]").forEach(function (w) { if (!w.closest("template")) checkId(w); });
    updateButtons();
    refresh();
    return {refresh: refresh};
  }

  function start() {
    var data = document.getElementById("schema-spec");
    if (!data) return;
    var spec = JSON.parse(data.textContent);
    var form = document.querySelector("form[data-schema-form]") || document.body;
    root.JiuzhuSchemaForm.instance = bind(form, spec);
  }

  core.bind = bind;
  if (typeof module !== "undefined" && module.exports) {
    module.exports = core;
  } else {
    root.JiuzhuSchemaForm = core;
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
})(typeof window !== "undefined" ? window : this);
