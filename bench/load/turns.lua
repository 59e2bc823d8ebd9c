-- wrk script: each connection talks in its own conversation, sending
-- routine shopper messages that the bot answers itself, so every request
-- is one full durable chat turn (with the customers turns.sh opens the
-- conversations for). Conversation ids come from conversations.txt, one
-- per line; wrk's threads share them out (`-- THREADS` after the URL), and
-- a conversation is only sent its next message once the bot has answered
-- the last one, as a shopper would: two turns of one conversation never
-- run at once (they would wait for each other on the server).
local ids = {}
for line in io.lines(os.getenv("XIAOER_CONVERSATIONS") or "conversations.txt") do
  ids[#ids + 1] = line
end
local counter = 0
local threads = {}
-- XIAOER_THINK_MS: a shopper's mean pause (ms) between receiving an answer
-- and sending the next message, drawn from an exponential distribution
-- (wrk takes whole milliseconds). Unset or 0: no pause, the closed loop
-- at saturation (64 requests always outstanding). With a pause the load is
-- below saturation and the figures are latency at the rate reached.
local think = tonumber(os.getenv("XIAOER_THINK_MS") or "0") or 0
local texts = {
  '{"text":"我的快递到哪了?订单E20261111000123"}',
  '{"text":"退款什么时候到账"}',
  '{"text":"where is my package"}',
  '{"text":"在吗"}',
}

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  threads[#threads + 1] = thread
end

function init(args)
  local count = tonumber(args[1]) or 1
  -- wrk calls request() once on its first thread to check the script
  -- before anything is sent: that request takes no conversation.
  checking = index == 0
  free, sent, busy, overlaps = {}, {}, {}, 0
  for i, id in ipairs(ids) do
    if (i - 1) % count == index then
      free[#free + 1] = id
      sent[id] = 0
      busy[id] = 0
    end
  end
  math.randomseed(1000 + index)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

if think > 0 then
  function delay()
    return math.floor(-math.log(1 - math.random()) * think + 0.5)
  end
end

function request()
  if checking then
    checking = false
    return wrk.format(nil, "/api/conversations/" .. free[1] .. "/messages", nil, texts[1])
  end
  local id = table.remove(free, 1)
  if id == nil then
    -- More connections than conversations (or an answer without its id):
    -- share one, and say so at the end.
    overlaps = overlaps + 1
    id = next(sent)
  end
  busy[id] = busy[id] + 1
  local n = sent[id] + 1
  sent[id] = n
  -- Each conversation cycles through the texts (never the same question
  -- three times in a row, which would hand it over).
  return wrk.format(nil, "/api/conversations/" .. id .. "/messages", nil, texts[(n % #texts) + 1])
end

function response(status, headers, body)
  -- The answer starts {"conversation_id":"…"; that conversation is free.
  local id = string.match(body, '^{"conversation_id":"(%x+)"')
  if id and busy[id] and busy[id] > 0 then
    busy[id] = busy[id] - 1
    if busy[id] == 0 then
      free[#free + 1] = id
    end
  end
end

function done(summary, latency, requests)
  local shared = 0
  for _, thread in ipairs(threads) do
    shared = shared + (thread:get("overlaps") or 0)
  end
  if shared > 0 then
    io.write(string.format("warning: %d requests shared a conversation with another in flight\n", shared))
  end
  io.write(string.format("turns/s %.0f  p50 %.2f ms  p99 %.2f ms  errors %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
