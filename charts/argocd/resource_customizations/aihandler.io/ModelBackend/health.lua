-- Argo CD health of an aihandler.io ModelBackend (vLLM or hosted).
-- Healthy: Ready=True for the current generation, and no condition Ready depends on is False.
-- Progressing: no status yet, a status older than the spec, or a backend that is still starting.
-- Healthy too: a vLLM backend the autoscaler scaled to zero while idle (Ready=True, reason
-- ScaledToZero): it serves on demand, the next request wakes it, so the Application stays Healthy
-- rather than showing a pause nobody asked for. Suspended: a vLLM backend fixed at zero replicas
-- (Ready=False, reason ScaledToZero): only a change of its spec brings it back. Degraded: anything
-- else, with the Ready condition's message, or Ready=True while a condition it depends on
-- (WorkloadAvailable for vLLM, CredentialsResolved and CredentialsValid for hosted) is False, with
-- that condition's message.
local hs = {}

-- Reasons of Ready=False that resolve on their own: the Deployment rolls out, the model loads.
local transient = { Progressing = true, ModelLoading = true }

-- Conditions Ready summarises: Ready=True while one of them is False is a contradiction (e.g. a
-- status written half-way), and the False one is the truth.
local dependsOn = { WorkloadAvailable = true, CredentialsResolved = true, CredentialsValid = true }

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

-- An idle backend at zero has no workload by design: WorkloadAvailable=False, reason
-- ScaledToZero, is then no contradiction of Ready=True.
local function failingDependency(conditions, ready)
  if conditions == nil then
    return nil
  end
  for _, condition in ipairs(conditions) do
    local idle = ready.reason == "ScaledToZero" and condition.reason == "ScaledToZero"
    if dependsOn[condition.type] and condition.status == "False" and not idle then
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

local failing = failingDependency(obj.status.conditions, ready)
if ready.status == "True" and failing ~= nil then
  hs.status = "Degraded"
  hs.message = failing.type .. ": " .. describe(failing, "False")
elseif ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready, "Ready")
elseif ready.reason == "ScaledToZero" then
  hs.status = "Suspended"
  hs.message = describe(ready, "Scaled to zero replicas")
elseif transient[ready.reason] then
  hs.status = "Progressing"
  hs.message = describe(ready, "Starting")
else
  hs.status = "Degraded"
  hs.message = describe(ready, "Not ready")
end
return hs
