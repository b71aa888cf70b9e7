"""The CloudFormation templates of deploy/aws, deployed into moto, a local AWS emulator.

moto runs in server mode on a free loopback port. The registry stack is created as it is
deployed for real, first and on its own. The application stack is root.yaml's nested stacks,
created one by one in the order their dependencies give, each with the parameters root.yaml
passes it (its Refs to root parameters and GetAtts of other layers' outputs, resolved here),
so the wiring under test is root.yaml's own. moto's CloudFormation cannot create four of the
layers (Secrets Manager, ElastiCache and Cloud Map resources are outside its model): those are
built through moto's service APIs from their templates' own definitions, and give the next
layers the outputs their templates declare. Inside the layers it does create, moto skips the
resource types it does not model (auto-scaling, alarms, metric filters, egress rules); the
test prints them. docs/deploy/aws.md lists everything the emulator cannot check.

Then it asserts what the deployment guide promises: the subnets and routes, the security
groups' inbound rules against the guide's table, the database, the storage, the registry, the
roles, the load balancer, and the registered task definitions' environment and secrets against
the guide's task definitions, every secret resolving to a key of a secret that exists.

Run with the test virtual environment's Python (boto3, moto and PyYAML are there):
    /opt/lucidity/venv-test/bin/python -m unittest deploy/tests/test_aws_emulator.py -v
"""

import ast
import json
import re
import secrets
import socket
import string
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
from pathlib import Path

import boto3
import yaml
from moto.cloudformation.parsing import get_model_map

AWS_DIR = Path(__file__).resolve().parents[2] / "deploy" / "aws"
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
DOMAIN = "contracts.example.com"
ADMIN_EMAIL = "admin@example.com"

# Seconds moto_server may take to answer its first request.
EMULATOR_START_SECONDS = 30

# --- What the deployment guide promises (copied here; tests never read the guide) -----------

# "Step 1: VPC and Networking", the subnet table: name, CIDR, zone (first or second), purpose.
GUIDE_VPC_CIDR = "10.0.0.0/16"
GUIDE_SUBNETS = {
    "cl-public-1": ("10.0.1.0/24", 0),
    "cl-public-2": ("10.0.2.0/24", 1),
    "cl-private-1": ("10.0.10.0/24", 0),
    "cl-private-2": ("10.0.11.0/24", 1),
    "cl-data-1": ("10.0.20.0/24", 0),
    "cl-data-2": ("10.0.21.0/24", 1),
}

# "Security Groups" table, inbound rules: (protocol, port, source CIDR or group name).
GUIDE_INBOUND_RULES = {
    "cl-alb-sg": {("tcp", 80, "0.0.0.0/0"), ("tcp", 443, "0.0.0.0/0")},
    "cl-ecs-sg": {("tcp", 3000, "cl-alb-sg"), ("tcp", 8000, "cl-alb-sg")},
    "cl-rds-sg": {("tcp", 5432, "cl-ecs-sg")},
    "cl-redis-sg": {("tcp", 6379, "cl-ecs-sg")},
    "cl-efs-sg": {("tcp", 2049, "cl-ecs-sg")},
}
# The one rule added to the table: the frontend (a task in cl-ecs-sg) forwards /api/* to the
# backend (another task in cl-ecs-sg) on 8000, which the table alone would drop.
ADDED_INBOUND_RULES = {"cl-ecs-sg": {("tcp", 8000, "cl-ecs-sg")}}

# "Step 2: RDS PostgreSQL with pgvector", aws rds create-db-instance.
GUIDE_DATABASE = {
    "DBInstanceIdentifier": "cl-postgres",
    "DBInstanceClass": "db.t3.medium",
    "Engine": "postgres",
    "EngineVersion": "16.5",
    "MasterUsername": "cl_user",
    "AllocatedStorage": 50,
    "MaxAllocatedStorage": 200,
    "StorageType": "gp3",
    "DBName": "contract_lucidity",
    "MultiAZ": True,
    "BackupRetentionPeriod": 7,
    "StorageEncrypted": True,
    "PubliclyAccessible": False,
}

# "Step 4: Document Storage (EFS)", aws efs create-access-point.
GUIDE_ACCESS_POINT = {
    "PosixUser": {"Uid": 1000, "Gid": 1000},
    "RootDirectory": {
        "Path": "/data/storage",
        "CreationInfo": {"OwnerUid": 1000, "OwnerGid": 1000, "Permissions": "755"},
    },
}

# "Step 5: ECR Container Registry".
GUIDE_REPOSITORIES = [
    "contract-lucidity/cl-backend",
    "contract-lucidity/cl-worker",
    "contract-lucidity/cl-frontend",
]

# "Step 6: Secrets Manager", the keys of the secret's JSON, all of them secrets of the backend
# task definition ("Step 8", cl-backend's "secrets"), in the guide's order.
GUIDE_SECRET_NAMES = [
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_DB",
    "POSTGRES_HOST",
    "POSTGRES_PORT",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "JWT_SECRET_KEY",
    "JWT_ALGORITHM",
    "JWT_ACCESS_TOKEN_EXPIRE_MINUTES",
    "JWT_REFRESH_TOKEN_EXPIRE_DAYS",
    "DEFAULT_ADMIN_EMAIL",
    "DEFAULT_ADMIN_PASSWORD",
    "CORS_ORIGINS",
    "FRONTEND_URL",
    "STORAGE_PATH",
]
# Their fixed values in the guide's JSON (the rest are generated or endpoints).
GUIDE_SECRET_VALUES = {
    "POSTGRES_USER": "cl_user",
    "POSTGRES_DB": "contract_lucidity",
    "POSTGRES_PORT": "5432",
    "JWT_ALGORITHM": "HS256",
    "JWT_ACCESS_TOKEN_EXPIRE_MINUTES": "60",
    "JWT_REFRESH_TOKEN_EXPIRE_DAYS": "7",
    "DEFAULT_ADMIN_EMAIL": ADMIN_EMAIL,
    "CORS_ORIGINS": f"https://{DOMAIN}",
    "FRONTEND_URL": f"https://{DOMAIN}",
    "STORAGE_PATH": "/data/storage",
}

# "Step 8: ECS Fargate Task Definitions": each family's environment and port; the worker's
# and the frontend's "differences only" replace the backend's environment and ports.
GUIDE_TASKS = {
    "cl-backend": {
        "cpu": "1024",
        "memory": "2048",
        "environment": {"APP_ENV": "production", "LOG_LEVEL": "INFO", "MAX_UPLOAD_SIZE_MB": "100"},
        "ports": [8000],
        "secrets": GUIDE_SECRET_NAMES,
        "storage": True,
    },
    "cl-worker": {
        "cpu": "2048",
        "memory": "4096",
        "environment": {"APP_ENV": "production", "LOG_LEVEL": "INFO", "CELERY_CONCURRENCY": "4"},
        "ports": [],
        "secrets": GUIDE_SECRET_NAMES,
        "storage": True,
    },
    "cl-frontend": {
        "cpu": "1024",
        "memory": "2048",
        "environment": {
            "BACKEND_INTERNAL_URL": "http://cl-backend.cl-local:8000",
            "NEXT_PUBLIC_FRONTEND_URL": f"https://{DOMAIN}",
        },
        "ports": [3000],
        "secrets": [],
        "storage": False,
    },
}
# Optional variables the templates add (documented in the compute layer).
ADDED_ENVIRONMENT = {
    "cl-backend": {"POSTGRES_SSLMODE": "require"},
    "cl-worker": {"POSTGRES_SSLMODE": "require", "SHUTDOWN_TIMEOUT_SECONDS": "90"},
    "cl-frontend": {"APP_ENV": "production", "LOG_LEVEL": "INFO"},
}

# "Step 9": services and desired counts.
GUIDE_SERVICES = {"cl-backend": 2, "cl-worker": 1, "cl-frontend": 2}

# "Step 7: IAM Roles", the execution role's actions.
GUIDE_EXECUTION_ACTIONS = {
    "ecr:GetAuthorizationToken",
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "secretsmanager:GetSecretValue",
}
GUIDE_TASK_ROLE_ACTIONS = {"elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"}

# The layers built through service APIs rather than moto's CloudFormation, and why.
EMULATED_LAYERS = {
    "Credentials": "AWS::SecretsManager::Secret is outside moto's CloudFormation model",
    "Config": "AWS::SecretsManager::Secret is outside moto's CloudFormation model",
    "Cache": "AWS::ElastiCache::* is outside moto's CloudFormation model",
    "Discovery": "AWS::ServiceDiscovery::* is outside moto's CloudFormation model",
}


# --- Templates ---------------------------------------------------------------------------


class CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags, read into their long forms."""


def _construct_tag(loader, suffix, node):
    name = suffix
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if name == "Ref":
        return {"Ref": value}
    if name == "Condition":
        return {"Condition": value}
    if name == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{name}": value}


CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path):
    return yaml.load(path.read_text(), Loader=CfnLoader)


# What Ref AWS::NoValue resolves to: the property or list item is left out.
NO_VALUE = object()


class Resolver:
    """Evaluates the intrinsic functions the templates use, outside CloudFormation: for
    root.yaml's parameters to its layers, and for the layers this test builds itself."""

    def __init__(self, parameters, resources=None, outputs=None, conditions=None):
        self.parameters = dict(parameters)
        # Condition name -> its definition, evaluated when used.
        self.conditions = conditions or {}
        self.parameters.update(
            {
                "AWS::Region": REGION,
                "AWS::AccountId": ACCOUNT,
                "AWS::Partition": "aws",
                "AWS::URLSuffix": "amazonaws.com",
            }
        )
        # Logical id -> {"Ref": physical id, attribute: value}.
        self.resources = resources or {}
        # Nested stack logical id -> its outputs.
        self.outputs = outputs or {}

    def condition(self, name):
        return bool(self(self.conditions[name]))

    def ref(self, name):
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.parameters:
            return self.parameters[name]
        return self.resources[name]["Ref"]

    def get_att(self, name, attribute):
        if attribute.startswith("Outputs."):
            return self.outputs[name][attribute.removeprefix("Outputs.")]
        return self.resources[name][attribute]

    def sub(self, template, extra=None):
        extra = extra or {}

        def value(match):
            key = match.group(1)
            if key in extra:
                return str(extra[key])
            if "." in key:
                return str(self.get_att(*key.split(".", 1)))
            return str(self.ref(key))

        return re.sub(r"\$\{([^}!]+)\}", value, template)

    def __call__(self, node):
        if isinstance(node, list):
            return [item for item in (self(item) for item in node) if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, argument),) = node.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Fn::GetAtt":
                return self.get_att(*argument)
            if key == "Fn::Sub":
                if isinstance(argument, list):
                    template, variables = argument
                    return self.sub(template, {k: self(v) for k, v in variables.items()})
                return self.sub(argument)
            if key == "Fn::Join":
                return argument[0].join(str(part) for part in self(argument[1]))
            if key == "Fn::Select":
                return self(argument[1])[int(self(argument[0]))]
            if key == "Fn::Split":
                return self(argument[1]).split(argument[0])
            if key == "Fn::GetAZs":
                return [f"{REGION}{zone}" for zone in "abcdef"]
            if key == "Fn::If":
                name, when_true, when_false = argument
                return self(when_true if self.condition(name) else when_false)
            if key == "Fn::Equals":
                return str(self(argument[0])) == str(self(argument[1]))
            if key == "Fn::Not":
                return not self(argument[0])
            if key == "Fn::And":
                return all(self(item) for item in argument)
            if key == "Fn::Or":
                return any(self(item) for item in argument)
            if key == "Condition":
                return self.condition(argument)
            if key.startswith("Fn::"):
                raise AssertionError(f"{key} is not supported by this test's resolver")
        resolved = {key: self(value) for key, value in node.items()}
        return {key: value for key, value in resolved.items() if value is not NO_VALUE}


def stack_parameter(value):
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


# --- The emulator ------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Emulator:
    """moto_server on a free loopback port, for the lifetime of the test class."""

    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        server = Path(sys.executable).parent / "moto_server"
        self.process = subprocess.Popen(
            [str(server), "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_ready()

    def _wait_until_ready(self):
        deadline = time.monotonic() + EMULATOR_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto_server exited: {self.output()}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"moto_server did not answer in {EMULATOR_START_SECONDS}s")

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-12000:]

    def client(self, service):
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# --- Deployment --------------------------------------------------------------------------


def stacks_read(node):
    """The logical ids whose attributes (a nested stack's outputs) a value reads."""
    if isinstance(node, list):
        return set().union(*(stacks_read(item) for item in node))
    if not isinstance(node, dict):
        return set()
    found = {node["Fn::GetAtt"][0]} if "Fn::GetAtt" in node else set()
    return found.union(*(stacks_read(value) for value in node.values()))


def dependency_order(nested):
    """The nested stacks' logical ids, each after every stack whose outputs it reads."""
    needs = {
        name: stacks_read(resource["Properties"].get("Parameters", {}))
        for name, resource in nested.items()
    }

    order = []
    while needs:
        ready = sorted(name for name, wanted in needs.items() if wanted <= set(order))
        if not ready:
            raise AssertionError(f"dependency cycle among {sorted(needs)}")
        order.extend(ready)
        for name in ready:
            del needs[name]
    return order


def generated_value(settings):
    """A value like GenerateSecretString's, honouring the templates' options."""
    alphabet = string.ascii_letters + string.digits
    if not settings.get("ExcludePunctuation"):
        alphabet += "!#$%&()*+,-.:;<=>?[]^_{|}~"
    return "".join(secrets.choice(alphabet) for _ in range(settings.get("PasswordLength", 32)))


class Deployment:
    """The registry stack and root.yaml's layers in the emulator, and what they produced."""

    def __init__(self, emulator, root_parameters):
        self.emulator = emulator
        self.cloudformation = emulator.client("cloudformation")
        self.root = load_template(AWS_DIR / "root.yaml")
        self.parameters = {
            name: spec.get("Default") for name, spec in self.root["Parameters"].items()
        }
        self.parameters.update(root_parameters)
        missing = sorted(k for k, v in self.parameters.items() if v is None)
        assert not missing, f"root parameters without a value: {missing}"

        self.outputs = {}
        # Layer -> resource types moto's CloudFormation skipped (or, for the layers built
        # through the service APIs, all of them).
        self.unmodelled = {}
        # Secret name -> its JSON, as built from the templates.
        self.secret_values = {}
        # "layer.Output" values moto computed wrongly, taken from its APIs instead.
        self.repaired = []

    def deploy_registry(self):
        self.outputs["Registry"] = self.create_stack("Registry", AWS_DIR / "registry.yaml", {})

    def deploy_layers(self):
        nested = {
            name: resource
            for name, resource in self.root["Resources"].items()
            if resource["Type"] == "AWS::CloudFormation::Stack"
        }
        for name in dependency_order(nested):
            properties = nested[name]["Properties"]
            path = AWS_DIR / properties["TemplateURL"]
            resolve = Resolver(self.parameters, outputs=self.outputs)
            values = {k: resolve(v) for k, v in properties.get("Parameters", {}).items()}
            if name in EMULATED_LAYERS:
                self.outputs[name] = self.emulate(name, path, values)
            else:
                self.outputs[name] = self.create_stack(name, path, values)

    def create_stack(self, name, path, values):
        template = load_template(path)
        stack_name = f"lucidity-test-{name.lower()}"
        # As JSON, which CloudFormation reads the same: moto's YAML reader splits a short-form
        # GetAtt at every dot (Database.Endpoint.Address) where CloudFormation splits at the
        # first.
        self.cloudformation.create_stack(
            StackName=stack_name,
            TemplateBody=json.dumps(template),
            Parameters=[
                {"ParameterKey": k, "ParameterValue": stack_parameter(v)} for k, v in values.items()
            ],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
        )
        stack = self.cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE", (name, stack["StackStatus"])

        created = {
            r["LogicalResourceId"]
            for r in self.cloudformation.list_stack_resources(StackName=stack_name)[
                "StackResourceSummaries"
            ]
        }
        modelled = get_model_map()
        skipped = sorted(
            {r["Type"] for r in template["Resources"].values() if r["Type"] not in modelled}
        )
        self.unmodelled[name] = skipped
        expected = {
            logical_id
            for logical_id, r in template["Resources"].items()
            if r["Type"] in modelled and "Condition" not in r
        }
        assert expected <= created, (name, sorted(expected - created))

        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        declared = {k for k, o in template.get("Outputs", {}).items() if "Condition" not in o}
        assert set(outputs) == declared, (name, sorted(declared ^ set(outputs)))
        self.repair_outputs(name, outputs)
        for key, value in outputs.items():
            assert "<moto." not in value and "Fn::" not in value, (name, key, value)
        return outputs

    def repair_outputs(self, name, outputs):
        """Replaces the two kinds of output moto computes wrongly with what AWS returns, read
        from moto's own APIs: the Ref of an EFS access point (moto gives its Python object)
        and a load balancer's CanonicalHostedZoneID (not implemented)."""
        if name == "Storage":
            efs = self.emulator.client("efs")
            points = efs.describe_access_points(FileSystemId=outputs["FileSystemId"])
            point_id = points["AccessPoints"][0]["AccessPointId"]
            for key in ("AccessPointId", "AccessPointArn"):
                self.repair(name, outputs, key, re.sub(r"<moto\.[^>]*>", point_id, outputs[key]))
        if name == "LoadBalancer":
            balancers = self.emulator.client("elbv2").describe_load_balancers()["LoadBalancers"]
            balancer = next(b for b in balancers if b["DNSName"] == outputs["LoadBalancerDnsName"])
            self.repair(
                name, outputs, "LoadBalancerHostedZoneId", balancer["CanonicalHostedZoneId"]
            )

    def repair(self, name, outputs, key, value):
        if outputs[key] != value:
            outputs[key] = value
            self.repaired.append(f"{name}.{key}")

    # The layers moto's CloudFormation cannot create, built through the service APIs from
    # their templates, giving exactly the outputs each template declares.

    def emulate(self, name, path, values):
        template = load_template(path)
        modelled = sorted(
            {r["Type"] for r in template["Resources"].values()} & set(get_model_map())
        )
        assert not modelled, f"{name}: moto now models {modelled}; deploy the layer instead"
        values = dict(values)
        for key, spec in template["Parameters"].items():
            if spec["Type"].startswith("List<") and isinstance(values[key], str):
                values[key] = values[key].split(",")
        resources = {}
        conditions = template.get("Conditions", {})
        for logical_id, resource in template["Resources"].items():
            resolve = Resolver(values, resources, conditions=conditions)
            build = getattr(self, "build_" + resource["Type"].replace("::", "_"))
            resources[logical_id] = build(resolve(resource.get("Properties", {})))
        resolve = Resolver(values, resources, conditions=conditions)
        outputs = {key: str(resolve(o["Value"])) for key, o in template["Outputs"].items()}
        self.unmodelled[name] = sorted({r["Type"] for r in template["Resources"].values()})
        return outputs

    def build_AWS_SecretsManager_Secret(self, properties):
        generate = properties["GenerateSecretString"]
        value = json.loads(generate["SecretStringTemplate"])
        value[generate["GenerateStringKey"]] = generated_value(generate)
        self.secret_values[properties["Name"]] = value
        arn = self.emulator.client("secretsmanager").create_secret(
            Name=properties["Name"],
            Description=properties.get("Description", ""),
            SecretString=json.dumps(value),
        )["ARN"]
        return {"Ref": arn}

    def build_AWS_ElastiCache_SubnetGroup(self, properties):
        self.emulator.client("elasticache").create_cache_subnet_group(
            CacheSubnetGroupName=properties["CacheSubnetGroupName"],
            CacheSubnetGroupDescription=properties["Description"],
            SubnetIds=properties["SubnetIds"],
        )
        return {"Ref": properties["CacheSubnetGroupName"]}

    def build_AWS_ElastiCache_ReplicationGroup(self, properties):
        group_id = properties["ReplicationGroupId"]
        # ElastiCache's primary endpoint name for a cluster-mode-disabled group.
        address = f"master.{group_id}.abcdef.use1.cache.amazonaws.com"
        return {
            "Ref": group_id,
            "PrimaryEndPoint.Address": address,
            "PrimaryEndPoint.Port": str(properties["Port"]),
        }

    def build_AWS_ServiceDiscovery_PrivateDnsNamespace(self, properties):
        client = self.emulator.client("servicediscovery")
        client.create_private_dns_namespace(Name=properties["Name"], Vpc=properties["Vpc"])
        namespaces = client.list_namespaces()["Namespaces"]
        namespace = next(n for n in namespaces if n["Name"] == properties["Name"])
        return {"Ref": namespace["Id"], "Name": properties["Name"]}

    def build_AWS_ServiceDiscovery_Service(self, properties):
        service = self.emulator.client("servicediscovery").create_service(
            Name=properties["Name"],
            NamespaceId=properties["NamespaceId"],
            DnsConfig=properties["DnsConfig"],
            HealthCheckCustomConfig=properties["HealthCheckCustomConfig"],
        )["Service"]
        return {"Ref": service["Id"], "Arn": service["Arn"], "Name": service["Name"]}


# --- The tests ---------------------------------------------------------------------------


class TheTemplatesDeployedIntoTheEmulator(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emulator = Emulator()
        try:
            cls._deploy()
        except BaseException:
            print(cls.emulator.output(), file=sys.stderr)
            cls.emulator.stop()
            raise

    @classmethod
    def _deploy(cls):
        started = time.monotonic()
        acm = cls.emulator.client("acm")
        certificate = acm.request_certificate(DomainName=DOMAIN, ValidationMethod="DNS")
        zone = (
            cls.emulator.client("route53")
            .create_hosted_zone(Name=DOMAIN, CallerReference="lucidity-test")["HostedZone"]["Id"]
            .split("/")[-1]
        )

        cls.deployment = Deployment(
            cls.emulator,
            {
                "DomainName": DOMAIN,
                "CertificateArn": certificate["CertificateArn"],
                "AdminEmail": ADMIN_EMAIL,
                "HostedZoneId": zone,
            },
        )
        cls.deployment.deploy_registry()
        cls.deployment.deploy_layers()
        cls.hosted_zone = zone
        cls.elapsed = time.monotonic() - started

        print(f"\ndeployed into moto in {cls.elapsed:.1f}s; not modelled by its CloudFormation:")
        for layer, types in sorted(cls.deployment.unmodelled.items()):
            if layer in EMULATED_LAYERS:
                print(f"  {layer}: built through the service APIs ({EMULATED_LAYERS[layer]})")
            else:
                print(f"  {layer}: {', '.join(types) or 'nothing'}")
        repaired = ", ".join(cls.deployment.repaired)
        print(f"outputs moto computed wrongly, read from its APIs: {repaired}")

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()

    def client(self, service):
        return self.emulator.client(service)

    def outputs(self, layer):
        return self.deployment.outputs[layer]

    # --- Network ---

    def test_the_vpc_has_the_guides_six_subnets_in_two_zones(self):
        ec2 = self.client("ec2")
        vpc_id = self.outputs("Network")["VpcId"]
        vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
        self.assertEqual(vpc["CidrBlock"], GUIDE_VPC_CIDR)

        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
        by_name = {
            tag["Value"]: s for s in subnets for tag in s.get("Tags", []) if tag["Key"] == "Name"
        }
        self.assertEqual(set(by_name), set(GUIDE_SUBNETS))
        zones = sorted({s["AvailabilityZone"] for s in subnets})
        self.assertEqual(len(zones), 2)
        for name, (cidr, zone) in GUIDE_SUBNETS.items():
            with self.subTest(subnet=name):
                self.assertEqual(by_name[name]["CidrBlock"], cidr)
                self.assertEqual(by_name[name]["AvailabilityZone"], zones[zone])

    def test_one_table_routes_to_the_internet_two_through_nat_and_one_nowhere(self):
        ec2 = self.client("ec2")
        vpc_id = self.outputs("Network")["VpcId"]
        tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
        # moto shows neither the tables' tags nor which subnets a template associates with
        # each; the template checks below cover those. Here: what each table routes to.
        targets = []
        for table in tables["RouteTables"]:
            if any(a.get("Main") for a in table["Associations"]):
                continue
            default = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
            if not default:
                targets.append("nowhere (data)")
            elif default[0].get("GatewayId", "").startswith("igw-"):
                targets.append("internet gateway (public)")
            elif default[0].get("NatGatewayId", "").startswith("nat-"):
                targets.append("NAT gateway (private)")
        self.assertEqual(
            sorted(targets),
            [
                "NAT gateway (private)",
                "NAT gateway (private)",
                "internet gateway (public)",
                "nowhere (data)",
            ],
        )

    # --- Security groups ---

    def test_the_security_groups_allow_exactly_the_guides_inbound_rules(self):
        ec2 = self.client("ec2")
        vpc_id = self.outputs("Network")["VpcId"]
        groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
        by_id = {g["GroupId"]: g for g in groups["SecurityGroups"]}
        names = {g["GroupId"]: g["GroupName"] for g in groups["SecurityGroups"]}
        self.assertTrue(set(GUIDE_INBOUND_RULES) <= set(names.values()))

        for group in by_id.values():
            name = group["GroupName"]
            if name not in GUIDE_INBOUND_RULES:
                continue
            rules = set()
            for permission in group["IpPermissions"]:
                port = (permission["IpProtocol"], permission["FromPort"])
                self.assertEqual(permission["FromPort"], permission["ToPort"], name)
                for ip_range in permission.get("IpRanges", []):
                    rules.add((*port, ip_range["CidrIp"]))
                for pair in permission.get("UserIdGroupPairs", []):
                    rules.add((*port, names[pair["GroupId"]]))
            with self.subTest(group=name):
                expected = GUIDE_INBOUND_RULES[name] | ADDED_INBOUND_RULES.get(name, set())
                self.assertEqual(rules, expected)

    # --- Secrets ---

    def test_the_secrets_hold_every_key_of_the_guides_config_secret(self):
        values = {}
        for secret in self.deployment.secret_values.values():
            self.assertFalse(set(secret) & set(values), "each key is in one secret only")
            values.update(secret)
        self.assertEqual(set(values), set(GUIDE_SECRET_NAMES))
        for key, value in GUIDE_SECRET_VALUES.items():
            with self.subTest(key=key):
                self.assertEqual(values[key], value)

        database = self.outputs("Database")["DatabaseEndpoint"]
        redis = self.outputs("Cache")["CacheEndpoint"]
        self.assertEqual(values["POSTGRES_HOST"], database)
        self.assertEqual(values["REDIS_URL"], f"rediss://{redis}:6379/0")
        self.assertEqual(values["CELERY_BROKER_URL"], f"rediss://{redis}:6379/0")
        self.assertEqual(values["CELERY_RESULT_BACKEND"], f"rediss://{redis}:6379/1")
        # Production refuses a JWT secret under 32 characters.
        self.assertGreaterEqual(len(values["JWT_SECRET_KEY"]), 32)
        self.assertGreaterEqual(len(values["POSTGRES_PASSWORD"]), 32)
        self.assertGreaterEqual(len(values["DEFAULT_ADMIN_PASSWORD"]), 16)

    # --- Database ---

    def test_the_database_is_the_guides_postgres_16_multi_az_encrypted_and_private(self):
        rds = self.client("rds")
        instance = rds.describe_db_instances(DBInstanceIdentifier="cl-postgres")["DBInstances"][0]
        for key, value in GUIDE_DATABASE.items():
            if key == "MaxAllocatedStorage":
                continue  # not modelled by moto's CloudFormation (docs/deploy/aws.md)
            with self.subTest(setting=key):
                self.assertEqual(instance[key], value)
        self.assertEqual(instance["Endpoint"]["Port"], 5432)

        # moto reads the instance's security groups from a property CloudFormation does not
        # have (VpcSecurityGroupIds, not VPCSecurityGroups); the template checks cover them.
        subnets = {s["SubnetIdentifier"] for s in instance["DBSubnetGroup"]["Subnets"]}
        self.assertEqual(subnets, set(self.outputs("Network")["DataSubnetIds"].split(",")))

    # --- Storage and registry ---

    def test_the_file_system_is_encrypted_and_mounted_through_the_guides_access_point(self):
        efs = self.client("efs")
        file_system_id = self.outputs("Storage")["FileSystemId"]
        file_system = efs.describe_file_systems(FileSystemId=file_system_id)["FileSystems"][0]
        self.assertTrue(file_system["Encrypted"])
        self.assertEqual(file_system["PerformanceMode"], "generalPurpose")
        self.assertEqual(file_system["ThroughputMode"], "bursting")

        targets = efs.describe_mount_targets(FileSystemId=file_system_id)["MountTargets"]
        private = set(self.outputs("Network")["PrivateSubnetIds"].split(","))
        self.assertEqual({t["SubnetId"] for t in targets}, private)
        efs_group = self.outputs("SecurityGroups")["EfsSecurityGroupId"]
        for target in targets:
            groups = efs.describe_mount_target_security_groups(
                MountTargetId=target["MountTargetId"]
            )["SecurityGroups"]
            self.assertEqual(groups, [efs_group])

        access_point = efs.describe_access_points(
            AccessPointId=self.outputs("Storage")["AccessPointId"]
        )["AccessPoints"][0]
        self.assertEqual(access_point["FileSystemId"], file_system_id)
        for key, value in GUIDE_ACCESS_POINT.items():
            with self.subTest(setting=key):
                self.assertEqual(access_point[key], value)

    def test_the_registry_has_the_guides_three_repositories(self):
        ecr = self.client("ecr")
        repositories = ecr.describe_repositories(repositoryNames=GUIDE_REPOSITORIES)
        # moto drops the scanning and encryption settings of a template's repositories; the
        # template checks cover them.
        self.assertEqual(
            sorted(r["repositoryName"] for r in repositories["repositories"]),
            sorted(GUIDE_REPOSITORIES),
        )

    # --- IAM ---

    def role_statements(self, arn):
        iam = self.client("iam")
        name = arn.rsplit("/", 1)[-1]
        statements = []
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            document = iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
            if isinstance(document, str):
                # moto keeps a template's policy as Python's rendering of it.
                document = ast.literal_eval(document)
            statements.extend(document["Statement"])
        return statements

    def test_the_execution_role_has_the_guides_actions_on_named_resources_only(self):
        statements = self.role_statements(self.outputs("Iam")["ExecutionRoleArn"])
        actions = set()
        for statement in statements:
            listed = statement["Action"]
            listed = [listed] if isinstance(listed, str) else listed
            actions.update(listed)
            resources = statement["Resource"]
            if listed != ["ecr:GetAuthorizationToken"]:
                self.assertNotIn("*", resources if isinstance(resources, list) else [resources])
        self.assertEqual(actions, GUIDE_EXECUTION_ACTIONS)

        secrets = next(s for s in statements if s["Action"] == "secretsmanager:GetSecretValue")
        expected = {
            self.outputs("Credentials")["DatabaseSecretArn"],
            self.outputs("Credentials")["AdminSecretArn"],
            self.outputs("Config")["ConfigSecretArn"],
        }
        self.assertEqual(set(secrets["Resource"]), expected)

    def test_the_task_roles_mount_the_file_system_through_the_access_point_only(self):
        storage = self.outputs("Storage")
        for role in ("BackendTaskRoleArn", "WorkerTaskRoleArn"):
            statements = self.role_statements(self.outputs("Iam")[role])
            mount = next(s for s in statements if "elasticfilesystem:ClientMount" in s["Action"])
            with self.subTest(role=role):
                self.assertEqual(set(mount["Action"]), GUIDE_TASK_ROLE_ACTIONS)
                self.assertEqual(mount["Resource"], storage["FileSystemArn"])
                condition = mount["Condition"]["StringEquals"]
                self.assertEqual(
                    condition["elasticfilesystem:AccessPointArn"], storage["AccessPointArn"]
                )

    # --- Load balancer ---

    def test_the_load_balancer_serves_https_redirects_http_and_checks_the_frontend_at_root(self):
        elbv2 = self.client("elbv2")
        balancer = elbv2.describe_load_balancers(Names=["cl-alb"])["LoadBalancers"][0]
        self.assertEqual(balancer["Scheme"], "internet-facing")
        self.assertEqual(balancer["Type"], "application")
        self.assertEqual(
            balancer["SecurityGroups"], [self.outputs("SecurityGroups")["AlbSecurityGroupId"]]
        )
        public = set(self.outputs("Network")["PublicSubnetIds"].split(","))
        self.assertEqual({z["SubnetId"] for z in balancer["AvailabilityZones"]}, public)

        group = elbv2.describe_target_groups(Names=["cl-frontend-tg"])["TargetGroups"][0]
        self.assertEqual((group["Protocol"], group["Port"]), ("HTTP", 3000))
        self.assertEqual(group["TargetType"], "ip")
        self.assertEqual(group["HealthCheckPath"], "/")
        self.assertEqual(group["HealthCheckIntervalSeconds"], 30)

        listeners = elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])
        by_port = {listener["Port"]: listener for listener in listeners["Listeners"]}
        self.assertEqual(set(by_port), {80, 443})
        https = by_port[443]
        self.assertEqual(https["Protocol"], "HTTPS")
        self.assertEqual(
            https["Certificates"][0]["CertificateArn"], self.deployment.parameters["CertificateArn"]
        )
        self.assertEqual(https["DefaultActions"][0]["Type"], "forward")
        self.assertEqual(https["DefaultActions"][0]["TargetGroupArn"], group["TargetGroupArn"])
        redirect = by_port[80]["DefaultActions"][0]
        self.assertEqual(redirect["Type"], "redirect")
        self.assertEqual(
            {k: redirect["RedirectConfig"][k] for k in ("Protocol", "Port", "StatusCode")},
            {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
        )

    def test_the_domain_is_an_alias_of_the_load_balancer_when_a_hosted_zone_is_given(self):
        records = self.client("route53").list_resource_record_sets(HostedZoneId=self.hosted_zone)
        alias = [
            r
            for r in records["ResourceRecordSets"]
            if r["Name"].rstrip(".") == DOMAIN and r["Type"] == "A"
        ]
        self.assertEqual(len(alias), 1)
        self.assertEqual(
            alias[0]["AliasTarget"]["DNSName"].rstrip("."),
            self.outputs("LoadBalancer")["LoadBalancerDnsName"].rstrip("."),
        )

    # --- ECS ---

    def container(self, family):
        definition = self.client("ecs").describe_task_definition(taskDefinition=family)
        containers = definition["taskDefinition"]["containerDefinitions"]
        return next(c for c in containers if c["name"] == family)

    def test_the_task_definitions_carry_the_guides_environment(self):
        ecs = self.client("ecs")
        for family, guide in GUIDE_TASKS.items():
            definition = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
            # Of the task-level settings moto keeps only the memory; the template checks
            # cover the CPU, network mode, Fargate, roles and the EFS volume.
            self.assertEqual(definition["memory"], guide["memory"], family)
            container = self.container(family)
            environment = {e["name"]: e["value"] for e in container.get("environment", [])}
            with self.subTest(family=family):
                self.assertEqual(environment, guide["environment"] | ADDED_ENVIRONMENT[family])
                ports = [p["containerPort"] for p in container.get("portMappings", [])]
                self.assertEqual(ports, guide["ports"])

    def test_the_task_definitions_carry_the_guides_secrets_each_resolving_to_a_stored_key(self):
        secrets_manager = self.client("secretsmanager")
        stored = {}
        for family, guide in GUIDE_TASKS.items():
            container = self.container(family)
            listed = container.get("secrets", [])
            with self.subTest(family=family):
                self.assertEqual([s["name"] for s in listed], guide["secrets"])
                for secret in listed:
                    # <secret ARN>:<JSON key>:<version stage>:<version id>
                    arn, key, stage, version = secret["valueFrom"].rsplit(":", 3)
                    self.assertEqual((key, stage, version), (secret["name"], "", ""))
                    if arn not in stored:
                        value = secrets_manager.get_secret_value(SecretId=arn)["SecretString"]
                        stored[arn] = json.loads(value)
                    self.assertIn(key, stored[arn])

    def test_the_tasks_mount_the_storage_and_log_to_their_own_groups(self):
        for family, guide in GUIDE_TASKS.items():
            container = self.container(family)
            with self.subTest(family=family):
                mounts = [m["containerPath"] for m in container.get("mountPoints", [])]
                self.assertEqual(mounts, ["/data/storage"] if guide["storage"] else [])
                options = container["logConfiguration"]["options"]
                self.assertEqual(container["logConfiguration"]["logDriver"], "awslogs")
                self.assertEqual(options["awslogs-group"], f"/ecs/{family}")
                self.assertEqual(options["awslogs-region"], REGION)
        # Long enough for the worker to hand its documents back after SIGTERM.
        self.assertEqual(self.container("cl-worker")["stopTimeout"], 120)

    def test_the_backend_and_frontend_run_the_images_own_health_check(self):
        # The Dockerfile installs deploy/docker/healthcheck.sh as this command.
        dockerfile = (AWS_DIR.parents[1] / "Dockerfile").read_text()
        self.assertIn("/usr/local/bin/lucidity-healthcheck", dockerfile)
        for family, mode in (("cl-backend", "api"), ("cl-frontend", "web")):
            check = self.container(family)["healthCheck"]
            with self.subTest(family=family):
                self.assertEqual(
                    check["command"], ["CMD", "/usr/local/bin/lucidity-healthcheck", mode]
                )

    def test_the_backend_task_publishes_its_metrics_through_a_cloudwatch_agent_sidecar(self):
        definition = self.client("ecs").describe_task_definition(taskDefinition="cl-backend")
        containers = {c["name"]: c for c in definition["taskDefinition"]["containerDefinitions"]}
        agent = containers["cloudwatch-agent"]
        self.assertFalse(agent["essential"])
        environment = {e["name"]: e["value"] for e in agent["environment"]}
        scrape = yaml.safe_load(environment["PROMETHEUS_CONFIG_CONTENT"])
        target = scrape["scrape_configs"][0]
        self.assertEqual(target["static_configs"][0]["targets"], ["localhost:8000"])
        self.assertEqual(target["metrics_path"], "/metrics")

        config = json.loads(environment["CW_CONFIG_CONTENT"])
        prometheus = config["logs"]["metrics_collected"]["prometheus"]
        self.assertEqual(prometheus["log_group_name"], "/ecs/cl-metrics")
        processor = prometheus["emf_processor"]
        self.assertEqual(processor["metric_namespace"], "ContractLucidity")
        selectors = [s for d in processor["metric_declaration"] for s in d["metric_selectors"]]
        self.assertIn("^lucidity_queue_depth$", selectors)

    def test_the_cluster_runs_the_guides_three_services(self):
        ecs = self.client("ecs")
        arns = ecs.list_services(cluster="cl-cluster")["serviceArns"]
        services = ecs.describe_services(cluster="cl-cluster", services=arns)["services"]
        counts = {s["serviceName"]: s["desiredCount"] for s in services}
        self.assertEqual(counts, GUIDE_SERVICES)

    # --- Outputs ---

    def test_the_application_outputs_name_the_url_and_the_endpoints(self):
        self.assertEqual(self.outputs("LoadBalancer")["Url"], f"https://{DOMAIN}")
        self.assertEqual(
            self.outputs("Discovery")["BackendInternalUrl"], "http://cl-backend.cl-local:8000"
        )
        self.assertTrue(self.outputs("Database")["DatabaseEndpoint"])
        self.assertTrue(self.outputs("Cache")["CacheEndpoint"])
        self.assertTrue(self.outputs("Monitoring")["AlarmTopicArn"].startswith("arn:aws:sns:"))


# --- What the emulator cannot show, checked in the templates themselves --------------------

REPO = AWS_DIR.parents[1]


def root_defaults():
    root = load_template(AWS_DIR / "root.yaml")
    values = {name: spec.get("Default") for name, spec in root["Parameters"].items()}
    values.update(DomainName=DOMAIN, AdminEmail=ADMIN_EMAIL, HostedZoneId="")
    return root, values


class Placeholder(dict):
    """A resource or stack outside this check: any attribute reads as <Name.Attribute>."""

    def __init__(self, name):
        super().__init__(Ref=f"<{name}>")
        self.name = name

    def __missing__(self, attribute):
        return f"<{self.name}.{attribute}>"


def layer(logical_id):
    """A layer's template and its resources' properties, resolved with root.yaml's defaults;
    values from other layers' outputs and from its own resources stay placeholders such as
    <Iam.ExecutionRoleArn> and <WorkerScaleOut>."""
    root, values = root_defaults()
    stacks = {name: Placeholder(name) for name in root["Resources"]}
    resolve_root = Resolver(values, outputs=stacks)
    properties = root["Resources"][logical_id]["Properties"]
    parameters = {k: resolve_root(v) for k, v in properties["Parameters"].items()}

    template = load_template(AWS_DIR / properties["TemplateURL"])
    resolve = Resolver(
        parameters,
        {name: Placeholder(name) for name in template["Resources"]},
        conditions=template.get("Conditions", {}),
    )
    return template, {
        name: resolve(r.get("Properties", {})) for name, r in template["Resources"].items()
    }


class TheTemplatesWhereTheEmulatorCannotLook(unittest.TestCase):
    """Settings moto's CloudFormation drops or cannot hold, read from the templates with
    root.yaml's defaults (the guide's values), and the names the product itself defines."""

    def test_the_example_parameters_name_root_parameters_only(self):
        root, _ = root_defaults()
        example = json.loads((AWS_DIR / "parameters.example.json").read_text())
        names = {p["ParameterKey"] for p in example}
        self.assertLessEqual(names, set(root["Parameters"]))
        required = {n for n, spec in root["Parameters"].items() if "Default" not in spec}
        self.assertLessEqual(required, names)

    def test_each_subnet_uses_its_tiers_route_table(self):
        template, properties = layer("Network")
        associations = {
            p["SubnetId"]: p["RouteTableId"]
            for name, p in properties.items()
            if template["Resources"][name]["Type"] == "AWS::EC2::SubnetRouteTableAssociation"
        }
        self.assertEqual(
            associations,
            {
                "<PublicSubnet1>": "<PublicRouteTable>",
                "<PublicSubnet2>": "<PublicRouteTable>",
                "<PrivateSubnet1>": "<PrivateRouteTable1>",
                "<PrivateSubnet2>": "<PrivateRouteTable2>",
                "<DataSubnet1>": "<DataRouteTable>",
                "<DataSubnet2>": "<DataRouteTable>",
            },
        )

    def test_each_tier_may_only_send_what_it_needs(self):
        template, properties = layer("SecurityGroups")

        def rule(r):
            target = r.get("CidrIp") or r.get("DestinationSecurityGroupId")
            return (r["IpProtocol"], r["FromPort"], target)

        egress = {}
        for name, p in properties.items():
            kind = template["Resources"][name]["Type"]
            if kind == "AWS::EC2::SecurityGroup":
                egress.setdefault(f"<{name}>", set()).update(
                    rule(r) for r in p["SecurityGroupEgress"]
                )
            elif kind == "AWS::EC2::SecurityGroupEgress":
                egress.setdefault(p["GroupId"], set()).add(rule(p))
        nothing = {("icmp", 252, "255.255.255.255/32")}
        self.assertEqual(
            egress,
            {
                "<AlbSecurityGroup>": {("tcp", 3000, "<EcsSecurityGroup>")},
                "<EcsSecurityGroup>": {
                    ("tcp", 443, "0.0.0.0/0"),
                    ("tcp", 5432, "<RdsSecurityGroup>"),
                    ("tcp", 6379, "<RedisSecurityGroup>"),
                    ("tcp", 2049, "<EfsSecurityGroup>"),
                    ("tcp", 8000, "<EcsSecurityGroup>"),
                },
                "<RdsSecurityGroup>": nothing,
                "<RedisSecurityGroup>": nothing,
                "<EfsSecurityGroup>": nothing,
            },
        )

    def test_the_database_is_in_cl_rds_sg_and_grows_to_the_guides_ceiling(self):
        _, properties = layer("Database")
        database = properties["Database"]
        self.assertEqual(database["VPCSecurityGroups"], ["<SecurityGroups.RdsSecurityGroupId>"])
        self.assertEqual(database["MaxAllocatedStorage"], GUIDE_DATABASE["MaxAllocatedStorage"])

    def test_the_cache_is_the_guides_replicated_encrypted_redis(self):
        _, properties = layer("Cache")
        cache = properties["Cache"]
        self.assertEqual(cache["ReplicationGroupId"], "cl-redis")
        self.assertEqual((cache["Engine"], cache["EngineVersion"]), ("redis", "7.1"))
        self.assertEqual(cache["CacheNodeType"], "cache.t3.small")
        self.assertEqual(cache["NumCacheClusters"], 2)
        for setting in (
            "AtRestEncryptionEnabled",
            "TransitEncryptionEnabled",
            "AutomaticFailoverEnabled",
        ):
            self.assertIs(cache[setting], True, setting)
        self.assertEqual(cache["SecurityGroupIds"], ["<SecurityGroups.RedisSecurityGroupId>"])

    def test_the_repositories_are_scanned_on_push_and_encrypted(self):
        template = load_template(AWS_DIR / "registry.yaml")
        repositories = [
            r for r in template["Resources"].values() if r["Type"] == "AWS::ECR::Repository"
        ]
        self.assertEqual(len(repositories), 3)
        for repository in repositories:
            self.assertEqual(
                repository["Properties"]["ImageScanningConfiguration"], {"ScanOnPush": True}
            )
            self.assertEqual(
                repository["Properties"]["EncryptionConfiguration"], {"EncryptionType": "AES256"}
            )

    def test_the_task_definitions_have_the_guides_sizes_on_fargate(self):
        template, properties = layer("Services")
        families = {
            p["Family"]: p
            for name, p in properties.items()
            if template["Resources"][name]["Type"] == "AWS::ECS::TaskDefinition"
        }
        self.assertEqual(set(families), set(GUIDE_TASKS))
        for family, guide in GUIDE_TASKS.items():
            task = families[family]
            with self.subTest(family=family):
                self.assertEqual((task["Cpu"], task["Memory"]), (guide["cpu"], guide["memory"]))
                self.assertEqual(task["NetworkMode"], "awsvpc")
                self.assertEqual(task["RequiresCompatibilities"], ["FARGATE"])
                self.assertEqual(task["ExecutionRoleArn"], "<Iam.ExecutionRoleArn>")
                volumes = task.get("Volumes", [])
                if guide["storage"]:
                    efs = volumes[0]["EFSVolumeConfiguration"]
                    self.assertEqual(efs["FilesystemId"], "<Storage.FileSystemId>")
                    self.assertEqual(efs["TransitEncryption"], "ENABLED")
                    self.assertEqual(
                        efs["AuthorizationConfig"],
                        {"AccessPointId": "<Storage.AccessPointId>", "IAM": "ENABLED"},
                    )
                else:
                    self.assertEqual(volumes, [])
                    self.assertNotIn("TaskRoleArn", task)

    def test_the_worker_runs_on_fargate_spot_and_the_others_on_fargate(self):
        _, properties = layer("Services")
        self.assertEqual(
            properties["ClusterCapacityProviders"]["CapacityProviders"], ["FARGATE", "FARGATE_SPOT"]
        )
        self.assertEqual(
            properties["WorkerService"]["CapacityProviderStrategy"][0]["CapacityProvider"],
            "FARGATE_SPOT",
        )
        for service in ("BackendService", "FrontendService"):
            self.assertEqual(properties[service]["LaunchType"], "FARGATE")
        self.assertEqual(
            properties["BackendService"]["ServiceRegistries"],
            [{"RegistryArn": "<Discovery.BackendDiscoveryArn>"}],
        )

    def test_the_frontend_and_backend_scale_on_cpu_as_in_the_guide(self):
        # "Auto-Scaling": 2 to 10 tasks, 70% CPU, scale in after 300 s, out after 60 s.
        _, properties = layer("Services")
        for service in ("Frontend", "Backend"):
            target = properties[f"{service}ScalableTarget"]
            policy = properties[f"{service}CpuScaling"]["TargetTrackingScalingPolicyConfiguration"]
            with self.subTest(service=service):
                self.assertEqual((target["MinCapacity"], target["MaxCapacity"]), (2, 10))
                self.assertEqual(policy["TargetValue"], 70)
                self.assertEqual(
                    policy["PredefinedMetricSpecification"]["PredefinedMetricType"],
                    "ECSServiceAverageCPUUtilization",
                )
                self.assertEqual((policy["ScaleInCooldown"], policy["ScaleOutCooldown"]), (300, 60))

    def test_the_worker_scales_on_the_queue_depth_the_product_publishes(self):
        # crates/api/src/metrics.rs registers the gauge `queue_depth` under the prefix
        # `lucidity`, so it is exported as lucidity_queue_depth.
        metrics = (REPO / "crates" / "api" / "src" / "metrics.rs").read_text()
        self.assertIn('Registry::with_prefix("lucidity")', metrics)
        self.assertRegex(metrics, r'"queue_depth",\s*"Jobs waiting in the queue"')

        _, properties = layer("Services")
        for alarm, policy in (
            ("WorkerQueueBacklogAlarm", "<WorkerScaleOut>"),
            ("WorkerQueueEmptyAlarm", "<WorkerScaleIn>"),
        ):
            with self.subTest(alarm=alarm):
                self.assertEqual(properties[alarm]["MetricName"], "lucidity_queue_depth")
                self.assertEqual(properties[alarm]["Namespace"], "ContractLucidity")
                self.assertEqual(properties[alarm]["AlarmActions"], [policy])

    def test_the_alarms_carry_the_products_thresholds(self):
        # PRODUCT's monitoring thresholds: API response above 2 s, queue depth above 20,
        # pipeline error rate above 5% an hour, a 20-page document over 5 minutes.
        _, properties = layer("Monitoring")
        self.assertEqual(properties["ApiResponseTimeAlarm"]["MetricName"], "TargetResponseTime")
        self.assertEqual(properties["ApiResponseTimeAlarm"]["Threshold"], 2)
        self.assertEqual(properties["QueueDepthAlarm"]["MetricName"], "lucidity_queue_depth")
        self.assertEqual(properties["QueueDepthAlarm"]["Threshold"], 20)
        self.assertEqual(properties["PipelineErrorRateAlarm"]["Threshold"], 5)
        self.assertEqual(properties["SlowDocumentAlarm"]["MetricName"], "DocumentProcessingTime")
        self.assertEqual(properties["SlowDocumentAlarm"]["Threshold"], 300000)
        for name, alarm in properties.items():
            if name.endswith("Alarm"):
                self.assertEqual(alarm["AlarmActions"], ["<AlarmTopic>"], name)

    def test_the_pipeline_metrics_read_the_line_the_worker_logs(self):
        # crates/worker/src/pipeline.rs logs `document processed` with `?outcome` (the
        # Outcome variant's name) and `duration_ms` once per run.
        pipeline = (REPO / "crates" / "worker" / "src" / "pipeline.rs").read_text()
        self.assertRegex(pipeline, r'\?outcome, duration_ms, "document processed"')
        for variant in ("Completed", "Failed"):
            self.assertRegex(pipeline, rf"\n\s*{variant},")

        _, properties = layer("Monitoring")
        patterns = {
            "DocumentsCompletedFilter": "Completed",
            "DocumentsFailedFilter": "Failed",
            "DocumentProcessingTimeFilter": "Completed",
        }
        for name, outcome in patterns.items():
            with self.subTest(filter=name):
                pattern = properties[name]["FilterPattern"]
                self.assertIn('$.message = "document processed"', pattern)
                self.assertIn(f'$.outcome = "{outcome}"', pattern)
                self.assertEqual(properties[name]["LogGroupName"], "<Logs.WorkerLogGroupName>")
        transformation = properties["DocumentProcessingTimeFilter"]["MetricTransformations"][0]
        self.assertEqual(transformation["MetricValue"], "$.duration_ms")


if __name__ == "__main__":
    unittest.main(verbosity=2)
