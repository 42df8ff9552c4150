-- wrk script: signed-in GET /api/model-config; counts answers that are not 200 or that miss
-- any of the seeded platform models or keys (an empty or partial answer).
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    bad = 0
    expect_models = tonumber(os.getenv("EXPECT_MODELS") or "0")
    expect_keys = tonumber(os.getenv("EXPECT_KEYS") or "0")
end

local function count(body, key)
    local section = body:match('"' .. key .. '":%[(.-)%]%s*[,}]')
    if section == nil then return -1 end
    local n = 0
    for _ in section:gmatch('"id":') do n = n + 1 end
    return n
end

function response(status, headers, body)
    if status ~= 200 then
        bad = bad + 1
        return
    end
    local models = select(2, body:gsub('"creditsPerUse":', ""))
    local keys = select(2, body:gsub('"apiKeyPreview":', ""))
    if models ~= expect_models or keys ~= expect_keys then
        bad = bad + 1
    end
end

function done(summary, latency, requests)
    local total_bad = 0
    for _, t in ipairs(threads) do
        total_bad = total_bad + (t:get("bad") or 0)
    end
    io.write(string.format("bad_answers %d\n", total_bad))
end
