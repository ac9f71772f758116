-- wrk script: GET a different request path each time, rotating over a file of paths
-- (one per line, starting with /).  Each wrk thread starts at its own offset so that
-- the threads do not ask for the same thing in lock step.  Requests accept gzip, as
-- browsers' do (the availability answers are then compressed; the others are not).
--
--   wrk ... -s tests/bench/paths.lua http://127.0.0.1:PORT -- PATHS_FILE

local threads_started = 0

-- runs in the main Lua state, once per thread, before init()
function setup(thread)
  thread:set("thread_index", threads_started)
  threads_started = threads_started + 1
end

local paths = {}
local i = 0

function init(args)
  local file = args[1]
  if not file then
    error("paths.lua: pass the paths file after --")
  end
  for line in io.lines(file) do
    if line:sub(1, 1) == "/" then
      paths[#paths + 1] = line
    end
  end
  if #paths == 0 then
    error("paths.lua: no paths in " .. file)
  end
  -- spread the threads over the list (thread_index is set by setup() above)
  local k = tonumber(thread_index) or 0
  i = (k * 7919) % #paths
end

local headers = { ["Accept-Encoding"] = "gzip" }

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], headers)
end
