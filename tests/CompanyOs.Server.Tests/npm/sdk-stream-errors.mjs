// A stream that fails after its first chunk, through the unmodified official npm SDKs: node sdk-stream-errors.mjs http://127.0.0.1:PORT/
// The test has queued a cut-after-first-chunks fault for each upstream. Prints one JSON object of observations.
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

const base = process.argv[2];
const openai = new OpenAI({ baseURL: `${base}v1`, apiKey: "cos_test", maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: base.replace(/\/$/, ""), apiKey: "cos_test", maxRetries: 0 });
const r = { openaiText: "", openaiCleanEnd: false, anthropicEvents: [], anthropicCleanEnd: false };

try {
  const stream = await openai.chat.completions.create({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "go" }] });
  for await (const chunk of stream) r.openaiText += chunk.choices[0]?.delta?.content ?? "";
  r.openaiCleanEnd = true;
} catch (e) {
  r.openaiError = `${e.constructor.name}: ${e.message}`;
}

try {
  const stream = anthropic.messages.stream({ model: "claude-3.5-sonnet", max_tokens: 256, messages: [{ role: "user", content: "go" }] });
  stream.on("streamEvent", (event) => r.anthropicEvents.push(event.type));
  await stream.finalMessage();
  r.anthropicCleanEnd = true;
} catch (e) {
  r.anthropicError = `${e.constructor.name}: ${e.message}`;
}

console.log(JSON.stringify(r));
