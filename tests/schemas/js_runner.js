// Runs the browser runtime (static/js/schema-form.js) under node for the agreement tests.
// stdin: {"exprs": [{"ast", "env", "today"}], "forms": [{"spec", "answers"}]}; stdout: results.
const path = require("path");
const runtime = require(path.join(__dirname, "..", "..", "static", "js", "schema-form.js"));

function revive(value) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    if ("$dec" in value) return runtime.dec(value.$dec);
    if ("$rows" in value) {
      const rows = value.$rows.map(revive);
      rows.isRows = true;
      return rows;
    }
    const out = {};
    for (const k of Object.keys(value)) out[k] = revive(value[k]);
    return out;
  }
  if (Array.isArray(value)) return value.map(revive);
  return value;
}

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const job = JSON.parse(input);
  const exprs = (job.exprs || []).map((e) =>
    runtime.canonical(runtime.evaluate(e.ast, [revive(e.env)], e.today)));
  const forms = (job.forms || []).map((f) => {
    const r = runtime.run(f.spec, f.answers);
    return {computed: r.computed, hidden: r.hidden, warnings: r.warnings};
  });
  const ids = (job.ids || []).map((i) => runtime.validateIdNumber(i.value, i.today, i.messages));
  process.stdout.write(JSON.stringify({exprs, forms, ids}));
});
