namespace CompanyOs.Llm.Redis;

/// <summary>
/// The Lua scripts of <see cref="RedisWindowRateLimiter"/>. Each runs atomically in Redis, on Redis's clock (<c>TIME</c>,
/// microseconds), so instances with skewed clocks still share one exact window.
/// <para>
/// Keys: <c>KEYS[1]</c> a sorted set of the admissions still in the window, member <c>id|tokens|requests</c>, score the
/// admission time; <c>KEYS[2]</c> a hash with the window's sums (<c>r</c> requests, <c>t</c> tokens), kept so a check does
/// not have to add up the set. Both expire one window (plus a second) after the last admission.
/// </para>
/// </summary>
internal static class RedisWindowScripts
{
    /// <summary>
    /// ARGV: window (µs), request limit (-1: none), token limit (-1: none), tokens, admission id. Drops the admissions that
    /// left the window (<c>score ≤ now − window</c>, as the in-process limiter) and subtracts them from the sums; admits when
    /// one more request and the tokens fit both limits. Returns <c>{granted, requests, tokens, retry µs, reset µs, now µs}</c>: retry
    /// is the exact wait until the request would fit if nothing else were admitted (-1: never within the window), reset the
    /// wait until the newest admission leaves the window.
    /// </summary>
    public const string Acquire = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local window = tonumber(ARGV[1])
        local rpm = tonumber(ARGV[2])
        local tpm = tonumber(ARGV[3])
        local tokens = tonumber(ARGV[4])
        local edge = now - window
        local requests = tonumber(redis.call('HGET', KEYS[2], 'r') or '0')
        local used = tonumber(redis.call('HGET', KEYS[2], 't') or '0')
        local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', edge)
        for _, m in ipairs(expired) do
          local tok, req = string.match(m, '|(%-?%d+)|(%d+)$')
          used = used - tonumber(tok)
          requests = requests - tonumber(req)
        end
        if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', edge) end
        if redis.call('ZCARD', KEYS[1]) == 0 then requests = 0; used = 0 end
        local ttl = math.floor(window / 1000) + 1000
        if (rpm < 0 or requests + 1 <= rpm) and (tpm < 0 or used + tokens <= tpm) then
          requests = requests + 1
          used = used + tokens
          redis.call('ZADD', KEYS[1], now, ARGV[5] .. '|' .. tokens .. '|1')
          redis.call('HSET', KEYS[2], 'r', requests, 't', used)
          redis.call('PEXPIRE', KEYS[1], ttl)
          redis.call('PEXPIRE', KEYS[2], ttl)
          return {1, requests, used, -1, window, now}
        end
        if #expired > 0 then redis.call('HSET', KEYS[2], 'r', requests, 't', used) end
        local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
        local retry = -1
        local r, u = requests, used
        for i = 1, #entries, 2 do
          local tok, req = string.match(entries[i], '|(%-?%d+)|(%d+)$')
          r = r - tonumber(req)
          u = u - tonumber(tok)
          if (rpm < 0 or r + 1 <= rpm) and (tpm < 0 or u + tokens <= tpm) then
            retry = tonumber(entries[i + 1]) + window - now
            break
          end
        end
        local reset = 0
        if #entries > 0 then reset = tonumber(entries[#entries]) + window - now end
        return {0, requests, used, retry, reset, now}
        """;

    /// <summary>
    /// ARGV: admission id, tokens and requests it is counted for, actual tokens and requests. Re-counts an admission still in
    /// the window (same admission time) and adjusts the sums; nothing when it has left the window. Returns 1 when corrected.
    /// </summary>
    public const string Correct = """
        local old = ARGV[1] .. '|' .. ARGV[2] .. '|' .. ARGV[3]
        local score = redis.call('ZSCORE', KEYS[1], old)
        if not score then return 0 end
        redis.call('ZREM', KEYS[1], old)
        redis.call('ZADD', KEYS[1], score, ARGV[1] .. '|' .. ARGV[4] .. '|' .. ARGV[5])
        redis.call('HINCRBY', KEYS[2], 't', tonumber(ARGV[4]) - tonumber(ARGV[2]))
        redis.call('HINCRBY', KEYS[2], 'r', tonumber(ARGV[5]) - tonumber(ARGV[3]))
        return 1
        """;
}
