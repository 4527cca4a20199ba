namespace CompanyOs.Llm.Redis;

/// <summary>
/// The Lua scripts of <see cref="RedisSpendStore"/>, each atomic over every scope of a call, on Redis's clock (ms).
/// <para>
/// Keys: <c>KEYS[1]</c> a sorted set of live instances (member: instance id, score: when its lease ends);
/// <c>KEYS[2…]</c> one hash per budget scope: <c>usd</c> (nano-dollars) and <c>tok</c> settled, and per instance
/// <c>ru:{id}</c> / <c>rt:{id}</c>, what that instance holds reserved for its calls in flight. Reservations of an instance
/// whose lease ended (it crashed, or lost Redis for longer than a lease) are dropped by the next reservation that sees them.
/// </para>
/// </summary>
internal static class RedisSpendScripts
{
    private const string Now = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        """;

    /// <summary>
    /// ARGV: instance id, instance lease (ms), amount (nano-USD), amount (tokens), scope key TTL (ms), then per scope: limit
    /// nano-USD (-1: none), limit tokens (-1: none), seed nano-USD and seed tokens ('' when not given). A scope without a
    /// settled value is seeded from its seed (HSETNX: a concurrent seed wins once); without a seed the script returns
    /// <c>{2, scope indexes…}</c> and changes nothing else, so the caller reads the durable totals and calls again. Otherwise,
    /// if for every scope settled + live reservations + amount stays within its limits, reserves the amount on every scope
    /// under this instance and returns <c>{1}</c>; else reserves nothing and returns <c>{0, scope index, committed nano-USD,
    /// committed tokens}</c> for the first scope that would overflow.
    /// </summary>
    public const string Reserve = Now + "\n" + """
        local me = ARGV[1]
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), me)
        local usd = tonumber(ARGV[3])
        local tok = tonumber(ARGV[4])
        local ttl = tonumber(ARGV[5])
        local missing = {}
        for i = 2, #KEYS do
          if redis.call('HEXISTS', KEYS[i], 'usd') == 0 then
            local a = 5 + (i - 2) * 4
            if ARGV[a + 3] == '' then
              missing[#missing + 1] = i - 1
            else
              redis.call('HSETNX', KEYS[i], 'usd', ARGV[a + 3])
              redis.call('HSETNX', KEYS[i], 'tok', ARGV[a + 4])
            end
          end
        end
        if #missing > 0 then
          table.insert(missing, 1, 2)
          return missing
        end
        for i = 2, #KEYS do
          local a = 5 + (i - 2) * 4
          local fields = redis.call('HGETALL', KEYS[i])
          local cu, ct = 0, 0
          for f = 1, #fields, 2 do
            local name = fields[f]
            local value = tonumber(fields[f + 1])
            if name == 'usd' then
              cu = cu + value
            elseif name == 'tok' then
              ct = ct + value
            else
              local kind, owner = string.match(name, '^r([ut]):(.+)$')
              if owner then
                if owner == me or redis.call('ZSCORE', KEYS[1], owner) then
                  if kind == 'u' then cu = cu + value else ct = ct + value end
                else
                  redis.call('HDEL', KEYS[i], name)
                end
              end
            end
          end
          local lu = tonumber(ARGV[a + 1])
          local lt = tonumber(ARGV[a + 2])
          if (lu >= 0 and cu + usd > lu) or (lt >= 0 and ct + tok > lt) then
            return {0, i - 1, cu, ct}
          end
        end
        for i = 2, #KEYS do
          redis.call('HINCRBY', KEYS[i], 'ru:' .. me, usd)
          redis.call('HINCRBY', KEYS[i], 'rt:' .. me, tok)
          redis.call('PEXPIRE', KEYS[i], ttl)
        end
        return {1}
        """;

    /// <summary>
    /// ARGV: instance id, instance lease (ms), reserved nano-USD, reserved tokens, actual nano-USD, actual tokens, scope key
    /// TTL (ms). On every scope that has a settled value: releases the reservation (never below zero) and adds the actual
    /// spend. A scope Redis no longer has (expired, or Redis lost its data) is skipped: its next reservation seeds it from
    /// the durable ledger, which records every settlement too.
    /// </summary>
    public const string Settle = Now + "\n" + """
        local me = ARGV[1]
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), me)
        for i = 2, #KEYS do
          if redis.call('HEXISTS', KEYS[i], 'usd') == 1 then
            local ru = tonumber(redis.call('HGET', KEYS[i], 'ru:' .. me) or '0') - tonumber(ARGV[3])
            local rt = tonumber(redis.call('HGET', KEYS[i], 'rt:' .. me) or '0') - tonumber(ARGV[4])
            if ru > 0 then redis.call('HSET', KEYS[i], 'ru:' .. me, ru) else redis.call('HDEL', KEYS[i], 'ru:' .. me) end
            if rt > 0 then redis.call('HSET', KEYS[i], 'rt:' .. me, rt) else redis.call('HDEL', KEYS[i], 'rt:' .. me) end
            redis.call('HINCRBY', KEYS[i], 'usd', ARGV[5])
            redis.call('HINCRBY', KEYS[i], 'tok', ARGV[6])
            redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[7]))
          end
        end
        return 1
        """;

    /// <summary>ARGV: instance id, instance lease (ms). Extends this instance's lease, so its reservations stay counted.</summary>
    public const string Heartbeat = Now + "\n" + """
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        return 1
        """;
}
