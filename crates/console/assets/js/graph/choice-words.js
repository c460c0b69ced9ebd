// A Choice rule in words, for the label of its edge: `$.valido == true`, `$.n >= 10 and
// $.kind is present`. Pure; shared by the page and the layout test.

const COMPARISONS = {
  Equals: "==",
  LessThan: "<",
  GreaterThan: ">",
  LessThanEquals: "<=",
  GreaterThanEquals: ">=",
};

const KINDS = ["String", "Numeric", "Boolean", "Timestamp"];

function literal(value) {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** The words of one comparison (`{Variable, <Operator>: value}`). */
function comparison(rule) {
  const variable = rule.Variable ?? "?";
  for (const [key, value] of Object.entries(rule)) {
    if (key === "Variable" || key === "Next" || key === "Comment" || key === "Assign" || key === "Output") continue;
    if (key === "StringMatches") return `${variable} matches ${literal(value)}`;
    if (key.startsWith("Is")) {
      const what = key.slice(2).toLowerCase();
      return `${variable} ${value ? "is" : "is not"} ${what === "null" ? "null" : what}`;
    }
    const kind = KINDS.find((k) => key.startsWith(k));
    if (!kind) continue;
    let operator = key.slice(kind.length);
    const isPath = operator.endsWith("Path");
    if (isPath) operator = operator.slice(0, -4);
    const symbol = COMPARISONS[operator];
    if (!symbol) continue;
    return `${variable} ${symbol} ${isPath ? value : literal(value)}`;
  }
  return `${variable} ?`;
}

/** The words of a rule, nested And/Or/Not included, at most `depth` levels deep. */
export function ruleWords(rule, depth = 0) {
  if (!rule || typeof rule !== "object") return "?";
  if (depth > 8) return "…";
  if (typeof rule.Condition === "string") return rule.Condition;
  if (Array.isArray(rule.And)) return rule.And.map((r) => group(r, depth)).join(" and ");
  if (Array.isArray(rule.Or)) return rule.Or.map((r) => group(r, depth)).join(" or ");
  if (rule.Not) return `not ${group(rule.Not, depth)}`;
  return comparison(rule);
}

function group(rule, depth) {
  const words = ruleWords(rule, depth + 1);
  return rule && (rule.And || rule.Or) ? `(${words})` : words;
}

/** Shortens a label to `max` characters with an ellipsis. */
export function shorten(text, max) {
  const chars = Array.from(String(text));
  return chars.length <= max ? chars.join("") : `${chars.slice(0, max - 1).join("")}…`;
}
