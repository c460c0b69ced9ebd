// jsonpath-plus as an ES module: the page evaluates InputPath, ResultPath and OutputPath with it.
export { JSONPath } from "jsonpath-plus";
