// Runs the unmodified official npm SDKs against a CompanyOS server: node sdk-check.mjs http://127.0.0.1:PORT/
// Prints one JSON object of observations; NodeSdkTests asserts on them.
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

const base = process.argv[2];
const openai = new OpenAI({ baseURL: `${base}v1`, apiKey: "cos_test", maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: base.replace(/\/$/, ""), apiKey: "cos_test", maxRetries: 0 });
const schema = { type: "object", properties: { query: { type: "string" } }, required: ["query"] };
const openaiTools = [{ type: "function", function: { name: "web_search", description: "Search the web", parameters: schema } }];
const anthropicTools = [{ name: "web_search", description: "Search the web", input_schema: schema }];
const r = {};

const completion = await openai.chat.completions.create({ model: "claude-3.5-sonnet", messages: [{ role: "user", content: "hello from node" }] });
r.openaiText = completion.choices[0].message.content;
r.openaiTotalTokens = completion.usage.total_tokens;

let streamed = "";
let streamUsage = null;
const stream = await openai.chat.completions.create({
  model: "gpt-4o", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "stream from node" }],
});
for await (const chunk of stream) {
  streamed += chunk.choices[0]?.delta?.content ?? "";
  if (chunk.usage) streamUsage = chunk.usage;
}
r.openaiStreamText = streamed;
r.openaiStreamCompletionTokens = streamUsage?.completion_tokens ?? null;

const toolCompletion = await openai.chat.completions.create({ model: "gpt-4o", tools: openaiTools, messages: [{ role: "user", content: "web_search node docs" }] });
r.openaiToolName = toolCompletion.choices[0].message.tool_calls[0].function.name;
r.openaiToolQuery = JSON.parse(toolCompletion.choices[0].message.tool_calls[0].function.arguments).query;

const runner = openai.chat.completions.stream({ model: "claude-3.5-sonnet", tools: openaiTools, messages: [{ role: "user", content: "web_search streamed docs" }] });
const streamedTool = (await runner.finalChatCompletion()).choices[0].message.tool_calls[0];
r.openaiStreamToolName = streamedTool.function.name;
r.openaiStreamToolQuery = JSON.parse(streamedTool.function.arguments).query;

const json = await openai.chat.completions.create({ model: "gpt-4o", response_format: { type: "json_object" }, messages: [{ role: "user", content: "answer in json" }] });
r.openaiJsonFinish = json.choices[0].finish_reason;

const models = [];
for await (const model of openai.models.list()) models.push(model.id);
r.openaiListsGpt4o = models.includes("gpt-4o");

try {
  await openai.chat.completions.create({ model: "no-such-model-npm", messages: [{ role: "user", content: "x" }] });
} catch (e) {
  r.openaiErrorStatus = e.status;
  r.openaiErrorCode = e.code;
}

const message = await anthropic.messages.create({ model: "gpt-4o", max_tokens: 100, messages: [{ role: "user", content: "hello anthropic from node" }] });
r.anthropicText = message.content[0].text;

const final = await anthropic.messages.stream({ model: "claude-3.5-sonnet", max_tokens: 100, messages: [{ role: "user", content: "stream anthropic from node" }] }).finalMessage();
r.anthropicStreamText = final.content[0].text;
r.anthropicStreamStop = final.stop_reason;
r.anthropicStreamOutputTokens = final.usage.output_tokens;

const ask = { role: "user", content: "web_search anthropic node" };
const first = await anthropic.messages.create({ model: "gpt-4o", max_tokens: 200, tools: anthropicTools, messages: [ask] });
const use = first.content.find((b) => b.type === "tool_use");
const second = await anthropic.messages.create({
  model: "gpt-4o", max_tokens: 200, tools: anthropicTools,
  messages: [ask, { role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "five results" }] }],
});
r.anthropicToolName = use.name;
r.anthropicToolAnswer = second.content[0].text;

try {
  await anthropic.messages.create({ model: "no-such-model-npm", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
} catch (e) {
  r.anthropicErrorStatus = e.status;
  r.anthropicErrorType = e.error?.error?.type ?? null;
}

console.log(JSON.stringify(r));
