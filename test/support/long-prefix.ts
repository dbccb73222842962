/** A long, distinct prompt prefix (a few thousand tokens) for prompt-cache tests; `topic` makes it unique. */
export function handbook(topic: string): string {
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) {
    lines.push(`Rule ${i} of the ${topic} handbook: check the ${topic} log twice, then file report number ${i * 7}.`);
  }
  return lines.join('\n');
}
