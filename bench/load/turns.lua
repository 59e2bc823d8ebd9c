-- wrk script: each connection talks in its own conversation (ids from
-- conversations.txt, one per line), sending routine shopper messages that
-- the bot answers itself, so every request is one full durable chat turn
-- (with the customers turns.sh opens the conversations for).
local ids = {}
for line in io.lines(os.getenv("XIAOER_CONVERSATIONS") or "conversations.txt") do
  ids[#ids + 1] = line
end
local counter = 0
local texts = {
  '{"text":"我的快递到哪了?订单E20261111000123"}',
  '{"text":"退款什么时候到账"}',
  '{"text":"where is my package"}',
  '{"text":"在吗"}',
}

function setup(thread)
  thread:set("first", counter)
  counter = counter + 1
end

function init(args)
  n = first
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  n = n + 1
  local id = ids[(n % #ids) + 1]
  -- Each conversation cycles through the texts (never the same question
  -- three times in a row, which would hand it over).
  local text = texts[(math.floor(n / #ids) % #texts) + 1]
  return wrk.format(nil, "/api/conversations/" .. id .. "/messages", nil, text)
end

function done(summary, latency, requests)
  io.write(string.format("turns/s %.0f  p50 %.2f ms  p99 %.2f ms  errors %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
