-- Argo CD health of an aihandler.io RoutingPolicy.
-- Healthy: Ready=True for the current generation, and no condition Ready depends on is False.
-- Progressing: no status yet, a status older than the spec, or backends that are still starting.
-- Degraded: anything else, with the Ready condition's message, or Ready=True while a condition it
-- depends on (Accepted, ResolvedRefs) is False, with that condition's message.
local hs = {}

-- Reasons of Ready=False that resolve on their own: the backends it uses are still starting.
local transient = { BackendsNotReady = true }

-- Conditions Ready summarises: Ready=True while one of them is False is a contradiction (e.g. a
-- status written half-way), and the False one is the truth.
local dependsOn = { Accepted = true, ResolvedRefs = true }

local function find(conditions, type)
  if conditions == nil then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if condition.type == type then
      return condition
    end
  end
  return nil
end

local function failingDependency(conditions)
  if conditions == nil then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if dependsOn[condition.type] and condition.status == "False" then
      return condition
    end
  end
  return nil
end

local function describe(condition, fallback)
  if condition.message ~= nil and condition.message ~= "" then
    return condition.message
  end
  if condition.reason ~= nil and condition.reason ~= "" then
    return condition.reason
  end
  return fallback
end

local generation = obj.metadata.generation
if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report a status"
  return hs
end
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

local ready = find(obj.status.conditions, "Ready")
if ready == nil or ready.status == "Unknown" then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ready condition"
  return hs
end
if generation ~= nil and ready.observedGeneration ~= nil and ready.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end

local failing = failingDependency(obj.status.conditions)
if ready.status == "True" and failing ~= nil then
  hs.status = "Degraded"
  hs.message = failing.type .. ": " .. describe(failing, "False")
elseif ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready, "Ready")
elseif transient[ready.reason] then
  hs.status = "Progressing"
  hs.message = describe(ready, "Starting")
else
  hs.status = "Degraded"
  hs.message = describe(ready, "Not ready")
end
return hs
