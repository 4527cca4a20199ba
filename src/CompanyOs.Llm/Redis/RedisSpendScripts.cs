namespace CompanyOs.Llm.Redis;

/// <summary>
/// The Lua scripts of <see cref="RedisSpendStore"/>, each atomic over every scope of a call, on Redis's clock (ms).
/// <para>
/// Keys: <c>KEYS[1]</c> a sorted set of live instances (member: instance id, score: when its lease ends);
/// <c>KEYS[2]</c> this instance's log of applied operations (member: operation id, score: when; the newest
/// <see cref="AppliedLogLength"/> kept), which makes a replay after a timeout — whose first try may or may not have run —
/// apply at most once; <c>KEYS[3…]</c> one hash per budget scope: <c>usd</c> (nano-dollars) and <c>tok</c> settled, and per
/// instance <c>ru:{id}</c> / <c>rt:{id}</c>, what that instance holds reserved for its calls in flight. Reservations of an
/// instance whose lease ended (it crashed, or lost Redis for longer than a lease) are dropped by the next reservation that
/// sees them.
/// </para>
/// </summary>
internal static class RedisSpendScripts
{
    /// <summary>Operations remembered per instance for replays.</summary>
    public const int AppliedLogLength = 10_000;

    private const string Now = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local function applied(id)
          redis.call('ZADD', KEYS[2], now, id)
          local n = redis.call('ZCARD', KEYS[2])
          if n > 10000 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, n - 10001) end
          redis.call('PEXPIRE', KEYS[2], 86400000)
        end
        """;

    /// <summary>
    /// ARGV: instance id, instance lease (ms), amount (nano-USD), amount (tokens), scope key TTL (ms), operation id (logged
    /// when granted), then per scope: limit
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
        for i = 3, #KEYS do
          if redis.call('HEXISTS', KEYS[i], 'usd') == 0 then
            local a = 6 + (i - 3) * 4
            if ARGV[a + 3] == '' then
              missing[#missing + 1] = i - 2
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
        for i = 3, #KEYS do
          local a = 6 + (i - 3) * 4
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
            return {0, i - 2, cu, ct}
          end
        end
        for i = 3, #KEYS do
          redis.call('HINCRBY', KEYS[i], 'ru:' .. me, usd)
          redis.call('HINCRBY', KEYS[i], 'rt:' .. me, tok)
          redis.call('PEXPIRE', KEYS[i], ttl)
        end
        applied(ARGV[6])
        return {1}
        """;

    /// <summary>
    /// ARGV: instance id, instance lease (ms), reserved nano-USD, reserved tokens, actual nano-USD, actual tokens, scope key
    /// TTL (ms), operation id, required operation id ('' for none). Nothing when the operation was applied already (a replay)
    /// or the required one never was (the release of a reservation that did not happen). Else, on every scope that has a
    /// settled value: releases the reservation (never below zero) and adds the actual spend. A scope Redis no longer has
    /// (expired, or Redis lost its data) is skipped: its next reservation seeds it from the durable ledger, which records
    /// every settlement too. Returns 1 when applied.
    /// </summary>
    public const string Settle = Now + "\n" + """
        local me = ARGV[1]
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), me)
        if redis.call('ZSCORE', KEYS[2], ARGV[8]) then return 0 end
        if ARGV[9] ~= '' and not redis.call('ZSCORE', KEYS[2], ARGV[9]) then
          applied(ARGV[8])
          return 0
        end
        for i = 3, #KEYS do
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
        applied(ARGV[8])
        return 1
        """;

    /// <summary>ARGV: instance id, instance lease (ms). Extends this instance's lease, so its reservations stay counted.</summary>
    public const string Heartbeat = Now + "\n" + """
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        return 1
        """;
}
