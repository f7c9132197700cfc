/** One figure a line: "name: value unit". */
export function figure(name: string, value: number | string, unit = ""): void {
  console.log(`${name}: ${value}${unit ? " " + unit : ""}`);
}

/** A heading between groups of figures. */
export function section(title: string): void {
  console.log(`\n## ${title}`);
}
